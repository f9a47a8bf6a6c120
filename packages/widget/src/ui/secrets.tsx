/**
 * Everything about secrets about to leave the user's machine, in one lazy chunk (`secrets-*.js`, see
 * `loadSecrets`): the client's detector, which files get scanned, and the dialog asking what to do.
 */
export { detectSecrets, detectSecretsIn, redactSecrets, redactSecretsIn } from '@suportra/client/secrets'

import { detectSecrets, redactSecrets } from '@suportra/client/secrets'
import type { JSX } from 'preact'
import { useT } from './context.js'

/** Text files worth scanning: small, and either typed as text or named like code or config. */
const TEXT_TYPE =
  /^text\/|^application\/(json|xml|javascript|typescript|x-sh|toml|yaml|x-yaml)$|\+(json|xml)$/i
const TEXT_NAME =
  /\.(env|ini|conf|cfg|pem|key|tf|tfvars|ts|tsx|js|jsx|py|rb|go|rs|java|kt|php|sh|yml|yaml|json|toml|sql|txt|log|md)$|^\.env/i
export const isTextFile = (file: File) =>
  file.size < 2 * 1024 * 1024 && (TEXT_TYPE.test(file.type) || TEXT_NAME.test(file.name))

/**
 * The kinds of secret found in `text` or in the text files among `files` (empty when there are none).
 * Rejects when a file cannot be read.
 */
export async function findSecrets(text: string, files: File[] = []): Promise<string[]> {
  const texts = [text, ...(await Promise.all(files.filter(isTextFile).map((f) => f.text())))]
  return [...new Set(texts.flatMap((t) => detectSecrets(t).map((match) => match.rule)))]
}

/** A text file with its secrets redacted (same name and type). */
export async function redactFile(file: File): Promise<File> {
  if (!isTextFile(file)) return file
  const text = await file.text()
  // A file without secrets goes as it is, byte for byte.
  if (detectSecrets(text).length === 0) return file
  return new File([redactSecrets(text)], file.name, { type: file.type })
}

/** A message with its text and its text files redacted. Rejects when a file cannot be read. */
export async function redactMessage(message: { text: string; files: File[] }) {
  return { text: redactSecrets(message.text), files: await Promise.all(message.files.map(redactFile)) }
}

/** Asks what to do about secrets about to leave the user's machine. */
export function SecretWarning(props: {
  kinds: string[]
  onRedact: () => void
  onSend: () => void
  onCancel: () => void
}): JSX.Element {
  const t = useT()
  return (
    <div class="banner warn" role="alertdialog" aria-label={t('redactSend')}>
      <p>{t('secretsFound', { kinds: props.kinds.map((kind) => kind.replaceAll('-', ' ')).join(', ') })}</p>
      <button type="button" class="primary" onClick={props.onRedact}>
        {t('redactSend')}
      </button>
      <button type="button" class="link" onClick={props.onSend}>
        {t('sendAnyway')}
      </button>
      <button type="button" class="link" onClick={props.onCancel}>
        {t('cancel')}
      </button>
    </div>
  )
}
