// Byte counts for people, in binary units (KiB = 1024 B). Two forms, for two
// uses:
//   formatBytes(1536)        '1.5 KiB'   a size shown in a listing (one decimal)
//   formatExactBytes(65536)  '64 KiB'    a limit quoted back to the user: the largest
//                                         unit that divides it, else bytes ('1500 B')

const UNITS = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
] as const;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

export function formatExactBytes(n: number): string {
  for (const [unit, size] of UNITS) if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  return `${n} B`;
}
