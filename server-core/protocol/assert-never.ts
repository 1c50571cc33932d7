// The default branch of an exhaustive switch over a protocol union: the
// compiler proves it unreachable, and at run time a message of a type the
// switch does not know (a newer peer, a typo) fails loudly instead of being a
// silent no-op. Shared by both webview protocols and their hosts.
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
