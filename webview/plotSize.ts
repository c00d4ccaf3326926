import type uPlot from 'uplot';

/** The size a uPlot chart takes in its box, with a floor so a collapsed box still draws. */
export function plotSize(plot: HTMLElement): { width: number; height: number } {
  return { width: Math.max(120, Math.floor(plot.clientWidth)), height: Math.max(100, Math.floor(plot.clientHeight)) };
}

/** Follows the box's size: creates the chart once the box has one, resizes it when it changes. */
export function fitPlot(chart: uPlot | undefined, plot: HTMLElement, create: () => void): void {
  if (!chart) {
    create();
    return;
  }
  const size = plotSize(plot);
  if (size.width !== chart.width || size.height !== chart.height) {
    chart.setSize(size);
  }
}
