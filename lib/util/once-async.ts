/**
 * A value made on first use, once: the promise is kept, so callers at the same time share one
 * making; a making that fails is forgotten, so the next caller tries again.
 */
export function onceAsync<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((e: unknown) => {
      made = undefined;
      throw e;
    });
    return made;
  };
}

/** A value given ready-made, or how to make it on first use (then made once, as onceAsync). */
export function givenOrOnce<T extends object>(given: T | (() => Promise<T>)): () => Promise<T> {
  return typeof given === 'function' ? onceAsync(given) : () => Promise.resolve(given);
}
