import { App as AntApp, ConfigProvider, Spin } from 'antd';
import deDE from 'antd/locale/de_DE';
import enUS from 'antd/locale/en_US';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, MemoryRouter, Navigate, Route, Routes } from 'react-router';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { lazy, useEffect, type ReactNode } from 'react';
import { api, ApiRequestError } from './shared/api/client';
import { AuthProvider, useAuth } from './features/auth/auth-context';
import { ErrorBoundary } from './shared/components/feedback';
import { i18n } from './shared/i18n/i18n';
import { AppLayout } from './shared/layout/app-layout';
import { SetupPage } from './features/auth/setup-page';
import { SignInPage } from './features/auth/sign-in-page';

export const ROUTER_BASENAME = '/admin';

// Pages load on first visit (charts and the video player stay out of the sign-in bundle).
const DashboardPage = lazy(() => import('./features/dashboard/dashboard-page').then((m) => ({ default: m.DashboardPage })));
const AccountsPage = lazy(() => import('./features/accounts/accounts-page').then((m) => ({ default: m.AccountsPage })));
const PackagesPage = lazy(() => import('./features/packages/packages-page').then((m) => ({ default: m.PackagesPage })));
const ChannelsPage = lazy(() => import('./features/channels/channels-page').then((m) => ({ default: m.ChannelsPage })));
const KeysPage = lazy(() => import('./features/keys/keys-page').then((m) => ({ default: m.KeysPage })));
const SessionsPage = lazy(() => import('./features/sessions/sessions-page').then((m) => ({ default: m.SessionsPage })));
const LogsPage = lazy(() => import('./features/logs/logs-page').then((m) => ({ default: m.LogsPage })));
const SettingsPage = lazy(() => import('./features/settings/settings-page').then((m) => ({ default: m.SettingsPage })));

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: true,
        // A refusal is an answer, not a hiccup: retry only network trouble and server errors.
        retry: (failures, error) => failures < 2 && (!(error instanceof ApiRequestError) || error.status === 0 || error.status >= 500),
      },
    },
  });
}

function Routed() {
  const { status, user, needsSetup } = useAuth();
  if (status === 'checking') {
    return (
      <div className="center-page">
        <Spin size="large" />
      </div>
    );
  }
  if (!user) return needsSetup ? <SetupPage /> : <SignInPage />;
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<DashboardPage />} />
        <Route path="accounts" element={<AccountsPage />} />
        <Route path="packages" element={<PackagesPage />} />
        <Route path="channels" element={<ChannelsPage />} />
        <Route path="keys" element={<KeysPage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="logs" element={<LogsPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}

/** Theme and locale follow the chosen language; dropdowns are as wide as their longest (German) option. */
function Localized({ children }: { children: ReactNode }) {
  const { i18n: current } = useTranslation();
  return (
    <ConfigProvider
      locale={current.language === 'de' ? deDE : enUS}
      popupMatchSelectWidth={false}
      theme={{ token: { colorPrimary: '#1f4e8c', borderRadius: 6 } }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

/** Providers without the router, for the app and for component tests. */
export function Providers({ children, queryClient }: { children: ReactNode; queryClient: QueryClient }) {
  // A change made anywhere (another page's form, a bulk action, an import) refreshes every list on
  // screen; changes by other operators or through the API arrive by the lists' interval and focus.
  useEffect(() => {
    api.onChanged = () => void queryClient.invalidateQueries();
    return () => {
      api.onChanged = null;
    };
  }, [queryClient]);
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <Localized>{children}</Localized>
      </QueryClientProvider>
    </I18nextProvider>
  );
}

export function DashboardApp({ queryClient = createQueryClient(), initialPath }: { queryClient?: QueryClient; initialPath?: string }) {
  const routes = (
    <AuthProvider>
      <ErrorBoundary>
        <Routed />
      </ErrorBoundary>
    </AuthProvider>
  );
  return (
    <Providers queryClient={queryClient}>
      {initialPath ? <MemoryRouter initialEntries={[initialPath]}>{routes}</MemoryRouter> : <BrowserRouter basename={ROUTER_BASENAME}>{routes}</BrowserRouter>}
    </Providers>
  );
}
