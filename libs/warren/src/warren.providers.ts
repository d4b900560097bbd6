/** Injection token for the options with defaults applied (see `resolveOptions`). */
export const WARREN_RESOLVED_OPTIONS = Symbol('warren:resolved-options');
