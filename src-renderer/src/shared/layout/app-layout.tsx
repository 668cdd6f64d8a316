import { Suspense, useState } from 'react';
import { Button, Layout, Menu, Skeleton, Space, Tag, Typography } from 'antd';
import {
  ApiOutlined,
  AuditOutlined,
  DashboardOutlined,
  KeyOutlined,
  LogoutOutlined,
  PlaySquareOutlined,
  SettingOutlined,
  TeamOutlined,
  AppstoreOutlined,
} from '@ant-design/icons';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../features/auth/auth-context';
import { LanguageSwitch } from '../components/language-switch';
import { ErrorBoundary } from '../components/feedback';
import { useConfirmDiscard } from '../forms/unsaved-changes';

const { Header, Sider, Content } = Layout;

export function AppLayout() {
  const { t } = useTranslation();
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
  const confirmDiscard = useConfirmDiscard();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const section = `/${location.pathname.split('/')[1] ?? ''}`;
  const items = [
    { key: '/', icon: <DashboardOutlined />, label: t('nav.dashboard') },
    { key: '/accounts', icon: <TeamOutlined />, label: t('nav.accounts') },
    { key: '/packages', icon: <AppstoreOutlined />, label: t('nav.packages') },
    { key: '/channels', icon: <PlaySquareOutlined />, label: t('nav.channels') },
    { key: '/keys', icon: <KeyOutlined />, label: t('nav.keys') },
    { key: '/sessions', icon: <ApiOutlined />, label: t('nav.sessions') },
    { key: '/logs', icon: <AuditOutlined />, label: t('nav.logs') },
    { key: '/settings', icon: <SettingOutlined />, label: t('nav.settings') },
  ];
  return (
    <Layout className="app-shell">
      <Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={210} theme="dark">
        <div className="brand">{collapsed ? 'CAS' : 'IPTV CAS Studio'}</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[section]}
          items={items}
          onClick={({ key }) => confirmDiscard(() => void navigate(key))}
          aria-label={t('nav.main')}
        />
      </Sider>
      <Layout>
        <Header className="app-header">
          <Space size="middle">
            {user?.role === 'observer' && <Tag color="gold">{t('auth.readOnlyBadge')}</Tag>}
            <LanguageSwitch />
            <Typography.Text data-testid="signed-in-user">
              {user?.username} ({t(`roles.${user?.role ?? 'observer'}`)})
            </Typography.Text>
            <Button icon={<LogoutOutlined />} onClick={() => void signOut()}>
              {t('auth.signOut')}
            </Button>
          </Space>
        </Header>
        <Content className="app-content">
          <ErrorBoundary key={section}>
            <Suspense fallback={<Skeleton active />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Content>
      </Layout>
    </Layout>
  );
}
