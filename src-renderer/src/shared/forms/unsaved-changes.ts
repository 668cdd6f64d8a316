import { useEffect, useMemo, useState } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * Forms that hold changes not yet saved, each with the function that marks it clean; closing a
 * drawer or leaving the page asks first.
 */
const dirtyForms = new Map<object, () => void>();
/** True while the question is on screen: one Esc can reach both the drawer and its mask, ask once. */
let asking = false;

/** Registers the calling form while `dirty`; the browser also asks before the page unloads. */
function useUnsavedChanges(dirty: boolean, markClean: () => void): void {
  useEffect(() => {
    if (!dirty) return;
    const form = {};
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    dirtyForms.set(form, markClean);
    window.addEventListener('beforeunload', warn);
    return () => {
      dirtyForms.delete(form);
      window.removeEventListener('beforeunload', warn);
    };
  }, [dirty, markClean]);
}

/**
 * Unsaved-changes tracking for one form: give it `onValuesChange`; call `markClean()` when it is
 * filled or sent, `markDirty()` when a send failed.
 */
export function useFormChanges(): { onValuesChange: () => void; markClean: () => void; markDirty: () => void } {
  const [dirty, setDirty] = useState(false);
  const changes = useMemo(() => ({ onValuesChange: () => setDirty(true), markClean: () => setDirty(false), markDirty: () => setDirty(true) }), []);
  useUnsavedChanges(dirty, changes.markClean);
  return changes;
}

/** `leave(proceed)` runs `proceed` at once, or once the operator agrees to discard unsaved changes. */
export function useConfirmDiscard(): (proceed: () => void) => void {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  return (proceed) => {
    if (dirtyForms.size === 0) {
      proceed();
      return;
    }
    if (asking) return;
    asking = true;
    modal.confirm({
      title: t('unsaved.title'),
      content: t('unsaved.body'),
      okText: t('unsaved.discard'),
      okButtonProps: { danger: true },
      cancelText: t('unsaved.keepEditing'),
      onOk: () => {
        asking = false;
        // Each form learns it is clean: one that stays mounted (a drawer reopened while it
        // closes) must register again on its next change.
        for (const markClean of dirtyForms.values()) markClean();
        dirtyForms.clear();
        proceed();
      },
      onCancel: () => {
        asking = false;
      },
    });
  };
}
