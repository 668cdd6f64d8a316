import type { ReactNode } from 'react';
import { AuthContext, type AuthState } from '../../src-renderer/src/features/auth/auth-context';

/** A signed-in operator of the given role, without a sign-in round trip. */
export function AuthTestProvider({ role, children }: { role: 'admin' | 'observer'; children: ReactNode }) {
  const state: AuthState = {
    status: 'signed-in',
    user: { id: 1, username: role === 'admin' ? 'admin' : 'watcher', role, kind: 'session' },
    needsSetup: false,
    signIn: () => Promise.resolve(),
    setUp: () => Promise.resolve(),
    signOut: () => Promise.resolve(),
  };
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}
