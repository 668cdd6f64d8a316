/** Who did something: an admin session, an API key, or the CAS itself. */
export interface Actor {
  id: number | null;
  name: string;
}

export const systemActor: Actor = { id: null, name: 'system' };
