// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { useConfirmDiscard, useFormChanges } from '../../src-renderer/src/shared/forms/unsaved-changes';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import { installBrowserShims, renderWithProviders } from './harness';

beforeAll(installBrowserShims);
afterEach(cleanup);

/** A form that stays mounted however often it is closed, as a drawer reopened while it animates shut. */
function AlwaysMountedForm() {
  const changes = useFormChanges();
  const confirmDiscard = useConfirmDiscard();
  const [closes, setCloses] = useState(0);
  return (
    <>
      <button onClick={changes.onValuesChange}>type</button>
      <button onClick={() => confirmDiscard(() => setCloses((n) => n + 1))}>close</button>
      <output>closed {closes} times</output>
    </>
  );
}

describe('the unsaved-changes question', () => {
  it('asks again after a discard when the same form is changed again', async () => {
    setLanguage('en');
    renderWithProviders(<AlwaysMountedForm />);
    const user = userEvent.setup();
    for (const round of [1, 2]) {
      await user.click(screen.getByRole('button', { name: 'type' }));
      await user.click(screen.getByRole('button', { name: 'close' }));
      // The question, not a silent close, every round; earlier questions may linger closed in the DOM.
      expect(screen.getByText(`closed ${round - 1} times`)).toBeTruthy();
      await user.click((await screen.findAllByRole('button', { name: 'Discard changes' })).at(-1)!);
      await waitFor(() => expect(screen.getByText(`closed ${round} times`)).toBeTruthy());
    }
    // Clean now: closing does not ask.
    await user.click(screen.getByRole('button', { name: 'close' }));
    await waitFor(() => expect(screen.getByText('closed 3 times')).toBeTruthy());
  });
});
