import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { setLanguage, type Language } from '../i18n/i18n';

/** English / Deutsch; the choice is remembered on this machine. */
export function LanguageSwitch() {
  const { i18n, t } = useTranslation();
  return (
    <Segmented<Language>
      aria-label={t('common.language')}
      size="small"
      value={i18n.language === 'de' ? 'de' : 'en'}
      options={[
        { label: 'EN', value: 'en', title: 'English' },
        { label: 'DE', value: 'de', title: 'Deutsch' },
      ]}
      onChange={(value) => setLanguage(value)}
    />
  );
}
