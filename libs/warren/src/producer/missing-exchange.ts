/** The exchange named in a broker's `404 NOT_FOUND - no exchange 'x'` channel error, if that was the reason. */
export function missingExchange(error: (Error & { code?: number }) | undefined): string | undefined {
  if (!error || error.code !== 404) return undefined;
  return /no exchange '([^']*)'/.exec(error.message)?.[1];
}
