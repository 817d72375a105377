/** The largest and the mean absolute difference between two pictures' levels, sample by sample. */
export function differences(a: ArrayLike<number>, b: ArrayLike<number>): { largest: number; mean: number } {
  let largest = 0
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const difference = Math.abs(a[i]! - b[i]!)
    largest = Math.max(largest, difference)
    sum += difference
  }
  return { largest, mean: sum / a.length }
}
