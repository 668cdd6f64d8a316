import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { CurrentOperator, LoginResponse, SetupStatus } from '../../../../src-shared/schemas/admin-auth';
import { desktopBridgeIn } from '../../../../src-shared/desktop-bridge';
import { api } from '../../shared/api/client';

const SESSION_KEY = 'cas.session';

export interface AuthState {
  /** null while the stored session is being checked. */
  status: 'checking' | 'signed-out' | 'signed-in';
  user: CurrentOperator | null;
  needsSetup: boolean;
  signIn: (username: string, password: string) => Promise<void>;
  setUp: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

/** Exported for component tests, which provide a fixed operator. */
export const AuthContext = createContext<AuthState | null>(null);

function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(SESSION_KEY, token);
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // The session then lasts as long as the page.
  }
}

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
}

/**
 * The operator's session: a bearer token kept for this tab (sessionStorage), checked against
 * `GET /api/admin/me` on start. In the desktop app the shell may hand over a session for the
 * operator at this machine; in a browser that bridge is absent.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<AuthState['status']>('checking');
  const [user, setUser] = useState<CurrentOperator | null>(null);
  const [needsSetup, setNeedsSetup] = useState(false);

  const signedOut = useCallback(() => {
    api.token = null;
    storeToken(null);
    setUser(null);
    setStatus('signed-out');
    queryClient.clear();
  }, [queryClient]);

  const adopt = useCallback(async (token: string) => {
    api.token = token;
    const me = await api.get<CurrentOperator>('/api/admin/me');
    storeToken(token);
    setUser(me);
    setNeedsSetup(false);
    setStatus('signed-in');
  }, []);

  useEffect(() => {
    api.onUnauthorized = signedOut;
    let cancelled = false;
    void (async () => {
      const saved = storedToken();
      if (saved) {
        try {
          await adopt(saved);
          return;
        } catch {
          api.token = null;
          storeToken(null);
        }
      }
      try {
        const handoff: LoginResponse | null = (await desktopBridgeIn(globalThis)?.desktopSession()) ?? null;
        if (handoff) {
          await adopt(handoff.token);
          return;
        }
      } catch {
        // No desktop session: sign in as usual.
      }
      try {
        const setup = await api.get<SetupStatus>('/api/admin/setup');
        if (!cancelled) setNeedsSetup(setup.needsSetup);
      } catch {
        // The sign-in page shows the connection problem when the operator tries.
      }
      if (!cancelled) setStatus('signed-out');
    })();
    return () => {
      cancelled = true;
      api.onUnauthorized = null;
    };
  }, [adopt, signedOut]);

  const value = useMemo<AuthState>(
    () => ({
      status,
      user,
      needsSetup,
      async signIn(username, password) {
        const answer = await api.post<LoginResponse>('/api/admin/login', { username, password });
        await adopt(answer.token);
      },
      async setUp(username, password) {
        const answer = await api.post<LoginResponse>('/api/admin/setup', { username, password });
        await adopt(answer.token);
      },
      async signOut() {
        try {
          await api.post('/api/admin/logout');
        } finally {
          signedOut();
        }
      },
    }),
    [status, user, needsSetup, adopt, signedOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** Whether the signed-in operator may change things (observers may only look). */
export function useCanWrite(): boolean {
  return useAuth().user?.role === 'admin';
}
