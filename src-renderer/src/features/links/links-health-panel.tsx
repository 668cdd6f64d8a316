import { useCanWrite } from '../auth/auth-context';
import { useSettings } from '../settings/settings-queries';
import { BrokenChannelsAlert, PublicUrlWarning } from './link-warnings';
import { PublicUrlCard } from './public-url-card';
import { useLinksHealth } from './links-queries';

/**
 * The dashboard's word on links: while no public address is set, the warning and (for writers,
 * e.g. right after the first sign-in) the card to choose one from this machine's addresses;
 * the channels whose links will not play, with their fix.
 */
export function LinksHealthPanel() {
  const canWrite = useCanWrite();
  const settings = useSettings();
  const source = useLinksHealth().data?.publicBaseUrl.source;
  const notSet = source !== undefined && source !== 'setting';
  return (
    <>
      <PublicUrlWarning />
      {notSet && canWrite && settings.data && (
        <div style={{ marginBottom: 16 }}>
          <PublicUrlCard view={settings.data} readOnly={false} />
        </div>
      )}
      <BrokenChannelsAlert title="title" />
    </>
  );
}
