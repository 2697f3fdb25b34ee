import { escapeHtml } from "./escape.js";
import { formatValue, type Unit } from "./numbers.js";

/** The span of an axis, in the metric's unit. */
export type Domain = readonly [number, number];

/**
 * Chooses an axis span: the metric's range where the registry bounds it,
 * otherwise the span of the values drawn, widened by a tenth on each side.
 */
export function chooseDomain(
  range: readonly [number | null, number | null] | undefined,
  values: readonly number[],
): Domain {
  const finite = values.filter((value) => Number.isFinite(value));
  const dataMin = finite.length === 0 ? 0 : Math.min(...finite);
  const dataMax = finite.length === 0 ? 1 : Math.max(...finite);
  const pad = (dataMax - dataMin || Math.abs(dataMax) || 1) * 0.1;
  let low = range?.[0] ?? dataMin - pad;
  let high = range?.[1] ?? dataMax + pad;
  // A value outside the declared range (an invalid report) still gets drawn.
  low = Math.min(low, dataMin);
  high = Math.max(high, dataMax);
  if (low === high) {
    high = low + 1;
  }
  return [low, high];
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Returns a step of 1, 2 or 5 times a power of ten, near `span / count`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  // The tolerance keeps 5.000000001, a rounding error of 0.002 / 4, at 5.
  const tolerance = 1e-9;
  const nice =
    fraction <= 1 + tolerance
      ? 1
      : fraction <= 2 + tolerance
        ? 2
        : fraction <= 5 + tolerance
          ? 5
          : 10;
  return nice * power;
}

/**
 * Chooses the axis of a forest plot, zoomed to the values drawn so that rates
 * of a fraction of a percent are not drawn on top of each other at 0. The axis
 * always includes 0, so the picture does not exaggerate differences. Its ends
 * are rounded outwards to a tick and kept inside the metric's range.
 */
export function chooseZoomedDomain(
  range: readonly [number | null, number | null] | undefined,
  values: readonly number[],
): Domain {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) {
    return chooseDomain(range, []);
  }
  let low = Math.min(0, ...finite);
  let high = Math.max(0, ...finite);
  if (low === high) {
    high = low + 1;
  }
  const step = niceStep(high - low, 4);
  low = Math.floor(low / step) * step;
  high = Math.ceil((high + (high - low) * 0.02) / step) * step;
  if (range?.[0] !== null && range?.[0] !== undefined) low = Math.max(low, range[0]);
  if (range?.[1] !== null && range?.[1] !== undefined) high = Math.min(high, range[1]);
  return [low, high];
}

/** Tick positions: multiples of a 1-2-5 step inside the domain, about five of them. */
function ticksFor(domain: Domain): number[] {
  const [low, high] = domain;
  const step = niceStep(high - low, 4);
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step - 1e-9) * step; tick <= high + step * 1e-9; tick += step) {
    // Rounding keeps 0.30000000000000004 from printing as a separate value.
    ticks.push(Number(tick.toPrecision(12)));
  }
  return ticks;
}

export interface IntervalChartInput {
  /** The value; without it only the axis is drawn, as a scale for charts above it. */
  value?: number;
  lower?: number;
  upper?: number;
  domain: Domain;
  unit: Unit;
  /** Accessible description of what is drawn. */
  title: string;
  /** Values printed under the axis: its two ends (default), every tick, or none. */
  axisLabels?: "ends" | "ticks" | "none";
}

const CHART_WIDTH = 240;
const CHART_HEIGHT = 34;
const MARGIN = 8;

/**
 * Draws one value and its interval on an axis as a small SVG: a whisker from
 * the lower to the upper bound and a dot at the value. It scales with the
 * width of its container through the viewBox.
 */
export function intervalChart(input: IntervalChartInput): string {
  const [low, high] = input.domain;
  const x = (value: number): number =>
    MARGIN +
    ((Math.min(Math.max(value, low), high) - low) / (high - low)) * (CHART_WIDTH - 2 * MARGIN);
  const axisY = 24;
  const parts: string[] = [];

  parts.push(
    `<line class="axis" x1="${MARGIN}" y1="${axisY}" x2="${CHART_WIDTH - MARGIN}" y2="${axisY}"/>`,
  );
  for (const tick of ticksFor(input.domain)) {
    parts.push(
      `<line class="tick" x1="${round(x(tick))}" y1="${axisY}" x2="${round(x(tick))}" y2="${axisY + 3}"/>`,
    );
  }
  if (low < 0 && high > 0) {
    parts.push(`<line class="zero" x1="${round(x(0))}" y1="2" x2="${round(x(0))}" y2="${axisY}"/>`);
  }
  if (input.lower !== undefined && input.upper !== undefined) {
    const left = round(x(input.lower));
    const right = round(x(input.upper));
    parts.push(`<line class="whisker" x1="${left}" y1="12" x2="${right}" y2="12"/>`);
    parts.push(`<line class="cap" x1="${left}" y1="7" x2="${left}" y2="17"/>`);
    parts.push(`<line class="cap" x1="${right}" y1="7" x2="${right}" y2="17"/>`);
  }
  if (input.value !== undefined) {
    parts.push(`<circle class="point" cx="${round(x(input.value))}" cy="12" r="4"/>`);
  }
  const labels = input.axisLabels ?? "ends";
  if (labels === "ends") {
    parts.push(
      `<text class="axis-label" x="${MARGIN}" y="${CHART_HEIGHT}" text-anchor="start">${escapeHtml(formatValue(low, input.unit))}</text>`,
    );
    parts.push(
      `<text class="axis-label" x="${CHART_WIDTH - MARGIN}" y="${CHART_HEIGHT}" text-anchor="end">${escapeHtml(formatValue(high, input.unit))}</text>`,
    );
  } else if (labels === "ticks") {
    const ticks = ticksFor(input.domain);
    ticks.forEach((tick, index) => {
      let anchor = "middle";
      if (index === 0) {
        anchor = "start";
      } else if (index === ticks.length - 1) {
        anchor = "end";
      }
      parts.push(
        `<text class="axis-label" x="${round(x(tick))}" y="${CHART_HEIGHT}" text-anchor="${anchor}">${escapeHtml(formatValue(tick, input.unit))}</text>`,
      );
    });
  }

  return (
    `<svg class="interval-chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT + 2}" role="img" aria-label="${escapeHtml(input.title)}">` +
    `<title>${escapeHtml(input.title)}</title>${parts.join("")}</svg>`
  );
}
