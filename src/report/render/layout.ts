import { escapeHtml, type Markup } from "./escape.js";

/**
 * Content-Security-Policy of every page: nothing may load from anywhere, no
 * script may run, and only inline styles and data: images are allowed. The
 * pages need nothing else, so a hostile string that slipped past escaping
 * still could not fetch or execute anything.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The stylesheet shared by the report, comparison and site pages. */
export const STYLES = `
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--accent:#0b5cad;--point:#0b5cad;
--warn-bg:#fff4d6;--warn-ink:#6b4a00;--gap-bg:#fde8e8;--gap-ink:#8a1f1f;--ok-bg:#e6f4ea;--ok-ink:#1e5e2f;
--na-bg:#eef1f4;--na-ink:#3d4650}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1.25rem 0 .25rem;overflow-wrap:anywhere}
p,li,td,th{overflow-wrap:break-word}
dd,.detail,.note,code{overflow-wrap:anywhere}
a{color:var(--accent)}
nav.crumbs{font-size:.9rem;color:var(--muted);margin-bottom:.5rem}
.subtitle{color:var(--muted);margin:0 0 1rem}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.75rem;margin:1rem 0}
.summary div{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;background:var(--soft)}
.summary dt{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.summary dd{margin:0;font-weight:600}
.summary dd.detail{font-weight:400}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:.5rem 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid var(--line);padding:.45rem .5rem;text-align:left;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);background:var(--soft)}
.value,.status{font-weight:700;font-size:1.05rem;white-space:nowrap}
.status{display:inline-block;padding:.05rem .4rem;border-radius:4px;border:1px solid currentColor}
.status-withheld{background:var(--warn-bg);color:var(--warn-ink)}
.status-missing,.status-not_disclosed{background:var(--gap-bg);color:var(--gap-ink)}
.status-not_evaluated,.status-not_applicable{background:var(--na-bg);color:var(--na-ink)}
.status-absent{border-color:transparent;color:var(--muted);font-weight:400}
.interval,.detail,.aside{color:var(--muted);font-size:.85rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid currentColor}
.badge-ok{background:var(--ok-bg);color:var(--ok-ink)}
.badge-warn{background:var(--warn-bg);color:var(--warn-ink)}
.badge-bad{background:var(--gap-bg);color:var(--gap-ink)}
.badge-neutral{background:var(--na-bg);color:var(--na-ink)}
.chart-cell{min-width:10rem;width:30%}
table.results td[data-label=Source]{min-width:10rem}
table.results td[data-label=Sample]{min-width:6rem}
svg.interval-chart{display:block;width:100%;max-width:18rem;height:auto}
svg .axis{stroke:#8c959f;stroke-width:1}
svg .tick,svg .grid{stroke:#d0d7de;stroke-width:1}
svg .zero{stroke:#8c959f;stroke-dasharray:2 2}
svg .whisker,svg .cap{stroke:var(--point);stroke-width:2}
svg .point{fill:var(--point)}
svg .axis-label{font:10px system-ui,sans-serif;fill:var(--muted)}
section.result{border-top:1px solid var(--line);padding:.25rem 0 .75rem}
section.result h3 code{font-size:1rem}
.headline{margin:.5rem 0}
details{margin:.25rem 0}
summary{cursor:pointer;color:var(--accent)}
.problems li{margin:.2rem 0}
.note{border-left:3px solid var(--line);padding:.25rem .75rem;color:var(--muted)}
.matrix td,.matrix th{white-space:normal;min-width:7.5rem}
.matrix thead th{text-transform:none;letter-spacing:0;font-size:.85rem;color:var(--ink);vertical-align:bottom}
.matrix th[scope=row]{text-transform:none;letter-spacing:0;font-size:.85rem;color:var(--ink);background:#fff;position:sticky;left:0;min-width:11rem;max-width:16rem;box-shadow:1px 0 0 var(--line)}
.matrix .value,.matrix .status{font-size:.85rem}
.matrix th .detail{font-weight:400}
.matrix th code{overflow-wrap:normal}
.matrix .interval{font-size:.78rem}
.group{display:inline-block;min-width:1.4rem;text-align:center;border-radius:4px;font-size:.75rem;font-weight:700;border:1px solid var(--line);background:var(--soft);margin-left:.25rem}
.legend{font-size:.85rem;color:var(--muted)}
.scroll{overflow-x:auto}
footer{margin-top:3rem;font-size:.8rem;color:var(--muted)}
@media (max-width:40rem){
  main{padding:.75rem}
  h1{font-size:1.3rem}
  table.stack thead{display:none}
  table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
  table.stack tr{border:1px solid var(--line);border-radius:6px;margin:0 0 .75rem;padding:.25rem .5rem}
  table.stack td{border:0;padding:.25rem 0}
  table.stack td:empty{display:none}
  table.stack td[data-label]::before{content:attr(data-label);display:block;font-size:.75rem;text-transform:uppercase;color:var(--muted)}
  .chart-cell{width:100%}
  .value,.status{white-space:normal}
}
@media print{
  body{font-size:11pt;color:#000}
  main{max-width:none;padding:0}
  a{color:#000}
  a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;color:#444}
  details>*{display:block}
  summary{display:none}
  tr,.summary div,section.result{break-inside:avoid}
  h2{break-after:avoid}
  .status,.badge{border:1px solid #000}
  nav.crumbs,footer{display:none}
}
`;

export interface PageInput {
  title: string;
  /** Page content, already escaped. */
  body: Markup;
  /** Language of the page; "en" unless set. */
  lang?: string;
}

/**
 * Wraps page content in a complete, self-contained HTML document: inline
 * CSS, no script, and a policy that forbids every outside request.
 */
export function renderDocument(input: PageInput): string {
  return [
    "<!doctype html>",
    `<html lang="${escapeHtml(input.lang ?? "en")}">`,
    "<head>",
    '<meta charset="utf-8">',
    // The policy is a constant without double quotes, so it is written as is.
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLES}</style>`,
    "</head>",
    "<body>",
    `<main>${input.body.text}</main>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
