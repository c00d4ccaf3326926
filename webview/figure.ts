import { formatBytes } from '../shared/format';
import type { Figure } from '../shared/model';

/** What a figure reads as: bytes, or why it is unknown (never a misleading 0). */
export interface FigureReading {
  text: string;
  bytes: number | undefined;
  unavailable: string | undefined;
}

export function readFigure(figure: Figure): FigureReading {
  if ('bytes' in figure) {
    return { text: formatBytes(figure.bytes), bytes: figure.bytes, unavailable: undefined };
  }
  return { text: `unavailable: ${figure.unavailable}`, bytes: undefined, unavailable: figure.unavailable };
}

export function figureBytes(figure: Figure): number | undefined {
  return 'bytes' in figure ? figure.bytes : undefined;
}
