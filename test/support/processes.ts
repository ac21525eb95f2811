import { execa } from 'execa';

/** Whether any process of the group is still alive (zombies are dead, just not reaped yet). */
export async function groupAlive(pgid: number): Promise<boolean> {
  const { stdout } = await execa('ps', ['-eo', 'pgid=,stat=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some(([group, state]) => Number(group) === pgid && !state?.startsWith('Z'));
}
