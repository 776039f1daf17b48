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
