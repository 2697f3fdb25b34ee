// Built bundle of the photo catalogue; regenerate with `make`.
console.log("catalogue");
