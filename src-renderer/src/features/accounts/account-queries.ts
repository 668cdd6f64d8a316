/** Every query about accounts starts with this key, so one invalidation refreshes them all. */
export const accountsKey = ['accounts'] as const;
