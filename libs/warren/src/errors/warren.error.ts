/** Base class of every error Warren throws, so callers can tell them apart with `instanceof`. */
export class WarrenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
