import { FORECAST_WARM_UP_MS, FORECAST_WINDOW_MS, type ForecastLimit, type LeakForecast } from '../../shared/model';
import { History } from './history';
import { forecastLeak } from './leakForecast';
import { readMemAvailable } from './meminfo';
import { Outcome } from './outcome';
import { startTimeMs } from './processIdentity';
import { ProcessSample } from './sampleProcess';
import { systemInfo } from './systemInfo';

/** A forecast changes slowly: refitting it once per 5 s of readings is plenty, whoever asks. */
const REFRESH_MS = 5000;

const cache = new WeakMap<History, { latestMs: number; forecast: LeakForecast; level?: number }>();

/**
 * The leak forecast of a process from its history, with the limit it would run into: the
 * cgroup level with the least headroom (its working set against its limit), or the system's
 * MemAvailable when that is tighter or no group has a limit. Every view of a process gets the same
 * object until the next refit, so a view can tell "unchanged" by identity.
 */
export function forecastFor(
  history: History,
  sample: ProcessSample,
  memAvailable: () => Outcome<number> = readMemAvailable,
): LeakForecast {
  const latestMs = history.latest()?.timeMs ?? 0;
  const cached = cache.get(history);
  // Refit on a grid of the wall clock, as the detail reads are (Sampler): the refits of every
  // process, and the news they bring a view, fall in the same tick as the cgroup reads.
  const slot = (timeMs: number) => Math.floor(timeMs / REFRESH_MS);
  if (cached && latestMs >= cached.latestMs && slot(latestMs) === slot(cached.latestMs)) {
    return cached.forecast;
  }
  const { bootTimeMs, clockTicks } = systemInfo();
  const windowStartMs = latestMs - FORECAST_WINDOW_MS;
  const startedMs = startTimeMs(sample.identity, bootTimeMs, clockTicks);
  // Full and level, past the warm-up: a refit of it finds it level again, as the last one did if
  // its window was level at the same RES (a watched idle process, a stopped debuggee).
  const level =
    startedMs + FORECAST_WARM_UP_MS <= windowStartMs && history.levelSince(windowStartMs)
      ? history.latest()?.resBytes
      : undefined;
  if (cached && level !== undefined && cached.level === level && latestMs >= cached.latestMs) {
    cached.latestMs = latestMs;
    return cached.forecast;
  }
  const forecast = forecastLeak(history.resSince(windowStartMs), startedMs, () => limitOf(sample, memAvailable));
  cache.set(history, { latestMs, forecast, level });
  return forecast;
}

function limitOf(sample: ProcessSample, memAvailable: () => Outcome<number>): ForecastLimit | undefined {
  const group = sample.cgroup?.ok ? sample.cgroup.value : undefined;
  const tightest = group?.tightest;
  const available = memAvailable();
  if (tightest && (!available.ok || tightest.headroomBytes <= available.value)) {
    const { path, limitFile, limitBytes } = tightest.level;
    return { kind: 'cgroup', path, limitFile, limitBytes, headroomBytes: tightest.headroomBytes };
  }
  return available.ok ? { kind: 'memAvailable', headroomBytes: available.value } : undefined;
}
