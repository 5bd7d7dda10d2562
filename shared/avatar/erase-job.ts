/** The direct invocation an account-deletion flow sends to normalizeAvatar (right to erasure). */
export interface EraseUserJob {
  kind: 'erase-user';
  bucket: string;
  userId: string;
}

export function isEraseUserJob(event: unknown): event is EraseUserJob {
  const job = event as Partial<EraseUserJob> | null;
  return job?.kind === 'erase-user' && typeof job.bucket === 'string' && job.bucket !== '' && typeof job.userId === 'string' && job.userId !== '';
}
