import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { desktopBridgeIn, passphraseSchema, type DesktopAppInfo, type KeychainStatus } from '../../../../src-shared/desktop-bridge';
import { zodRule } from '../../shared/forms/zod-rules';
import { errorText } from '../../shared/components/feedback';

/** Only inside the desktop app: where the master key is kept, and a passphrase where no keyring protects it. */
export function DesktopCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const bridge = desktopBridgeIn(globalThis);
  const [info, setInfo] = useState<DesktopAppInfo | null>(null);
  const [keychain, setKeychain] = useState<KeychainStatus | null>(null);
  useEffect(() => {
    void bridge?.appInfo().then(setInfo).catch(() => undefined);
    void bridge?.keychainStatus().then(setKeychain).catch(() => undefined);
  }, [bridge]);
  if (!bridge) return null;
  const protect = async (passphrase: string) => {
    try {
      setKeychain(await bridge.protectWithPassphrase(passphrase));
      void message.success(t('desktop.protected'));
    } catch (error) {
      void message.error(errorText(error));
    }
  };
  return (
    <Card size="small" title={t('desktop.title')}>
      {keychain && (
        <Alert
          className="form-alert"
          type={keychain.protection === 'unprotected' ? 'warning' : 'success'}
          showIcon
          title={t(`desktop.protection.${keychain.protection}`)}
          description={keychain.message}
        />
      )}
      {keychain?.protection === 'unprotected' && (
        <Form
          layout="inline"
          onFinish={(v: { passphrase: string }) => void protect(v.passphrase)}
        >
          <Form.Item name="passphrase" label={t('desktop.passphrase')} rules={[zodRule(passphraseSchema)]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button htmlType="submit">{t('desktop.protect')}</Button>
        </Form>
      )}
      {info && (
        <Descriptions size="small" column={1} style={{ marginTop: 12 }}>
          <Descriptions.Item label={t('desktop.version')}>{`${info.appVersion} (Electron ${info.electronVersion})`}</Descriptions.Item>
          <Descriptions.Item label={t('dashboard.dataDir')}>
            {info.dataDir} <Button size="small" onClick={() => void bridge.openDataFolder()}>{t('desktop.openFolder')}</Button>
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
