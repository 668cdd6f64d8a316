import { Component, type ReactNode } from 'react';
import { Alert, App, Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { i18n } from '../i18n/i18n';
import { errorText } from '../i18n/error-text';

export { errorText };

/** An error in place of content that could not load (never a blank page). */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={t('errors.loadFailed')}
      description={errorText(error)}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t('common.retry')}</Button> : undefined}
    />
  );
}

/** Shows an error as a toast. */
export function useErrorToast(): (error: unknown) => void {
  const { message } = App.useApp();
  return (error: unknown) => {
    void message.error(errorText(error));
  };
}

/** Catches render errors so a broken page shows a message and a way back, not a white screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) {
      return (
        <Result
          status="error"
          title={i18n.t('errors.pageCrashed')}
          subTitle={this.state.error.message}
          extra={<Button onClick={() => this.setState({ error: null })}>{i18n.t('common.retry')}</Button>}
        />
      );
    }
    return this.props.children;
  }
}
