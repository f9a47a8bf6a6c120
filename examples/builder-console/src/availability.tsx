import { useSuportra } from '@suportra/react'
import { useEffect, useState } from 'react'

/**
 * The available/away switch: users see builders online while one is available and connected
 * (`GET /v1/availability`). Kept on the server, so it holds across reloads and devices.
 */
export function AvailabilitySwitch() {
  const client = useSuportra()
  const [available, setAvailable] = useState<boolean | undefined>(undefined)
  const [error, setError] = useState('')
  useEffect(() => {
    let live = true
    client.builder.available().then(
      (value) => live && setAvailable(value),
      (caught: Error) => live && setError(caught.message),
    )
    return () => {
      live = false
    }
  }, [client])
  const flip = async () => {
    const next = !available
    setError('')
    try {
      setAvailable(await client.builder.available(next))
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Could not change it')
    }
  }
  return (
    <span className="availability">
      <button
        type="button"
        role="switch"
        aria-checked={available === true}
        className={`switch ${available ? 'on' : 'off'}`}
        disabled={available === undefined}
        onClick={flip}
      >
        {available === undefined ? '…' : available ? 'Available' : 'Away'}
      </button>
      {error && <span role="alert">{error}</span>}
    </span>
  )
}
