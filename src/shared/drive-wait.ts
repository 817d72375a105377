/** A folder whose drive has not answered a look for a while: since when (ms since the epoch). */
export interface DriveWait {
  folder: string
  since: number
}

/**
 * What a photo waiting on a drive that does not answer is said to wait for, in the command and the window alike
 * (`when`: "for 20 s", "since 14:02").
 */
export function driveWaitText(folder: string, when: string): string {
  return `${folder} has not answered ${when}: a network drive whose server froze or whose connection hangs, or a failing disk. Enhance goes on when it answers`
}
