/** Jain's fairness index of a set of throughputs: 1 when all are equal, 1/n when one has everything. */
export function jain(values: number[]): number {
  const sum = values.reduce((total, x) => total + x, 0);
  const squares = values.reduce((total, x) => total + x * x, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}
