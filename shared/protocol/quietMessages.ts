/**
 * The host's promise to a visible view: while its process's figures hold still it is sent a
 * reading at least this often, and any change at the reading that sees it. Any change goes at
 * once, so a longer wait hides nothing; it saves the host a round trip per view (1.6 ms of its CPU
 * each, bench:host): at 5 s, ten quiet panels cost 0.3 % of a core in messages alone, at 15 s 0.1 %.
 */
export const QUIET_MESSAGE_MS = 15000;

/**
 * A page that hears nothing for this long past the promise says its figures may be old: the
 * extension host is busy, stopped or gone (a reading every second is late by a few at most).
 */
export const SILENT_AFTER_MS = QUIET_MESSAGE_MS + 10000;
