/**
 * `make` once per service instance (its context), the same value after: how a service definition shares
 * its use cases' dependencies and its background tasks between its routes, consumers and background list,
 * which the runtime asks for separately.
 */
export function perInstance<C extends object, T>(make: (context: C) => T): (context: C) => T {
  const made = new WeakMap<C, T>();
  return (context) => {
    if (made.has(context)) return made.get(context)!;
    const value = make(context);
    made.set(context, value);
    return value;
  };
}
