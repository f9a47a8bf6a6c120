import { cleanup, screen } from '@testing-library/preact'
import { afterEach, describe, expect, test } from 'vitest'
import { renderPart } from '../../test/helpers.js'
import { Markdown } from './markdown.js'

afterEach(cleanup)

const show = (text: string) => renderPart(<Markdown text={text} />).container

describe('links', () => {
  test('http, https and mailto links become links that open safely in a new tab', () => {
    const md = show('[docs](https://example.com/docs), [plain](http://example.com) or [mail](mailto:a@b.co)')
    const links = [...md.querySelectorAll('a')]
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['docs', 'https://example.com/docs'],
      ['plain', 'http://example.com/'],
      ['mail', 'mailto:a@b.co'],
    ])
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank')
      expect(a.getAttribute('rel')).toContain('noopener')
    }
  })

  test.each([
    '[click](javascript:alert(1))',
    '[click](JavaScript:alert(1))',
    '[click](data:text/html,<script>alert(1)</script>)',
    '[click](vbscript:msgbox(1))',
    '[click](/relative/path)',
  ])('%s stays plain text', (source) => {
    const md = show(source)
    expect(md.querySelector('a')).toBeNull()
    expect(md.textContent).toBe(source)
  })

  test('a bare URL becomes a link, without the sentence’s final period', () => {
    const md = show('See https://nextjs.org/docs/messages/module-not-found.')
    const a = md.querySelector('a')
    expect(a?.getAttribute('href')).toBe('https://nextjs.org/docs/messages/module-not-found')
    expect(md.textContent).toBe('See https://nextjs.org/docs/messages/module-not-found.')
  })

  test('a javascript: link inside bold stays text too', () => {
    const md = show('**[x](javascript:alert(1))**')
    expect(md.querySelector('strong')?.textContent).toBe('[x](javascript:alert(1))')
    expect(md.querySelector('a')).toBeNull()
  })
})

describe('markup in messages', () => {
  test('HTML is shown as text: no script, img or event handler reaches the page', () => {
    const source =
      '<script>alert(1)</script> <img src=x onerror=alert(1)> <a href="javascript:1" onclick="x()">a</a>'
    const md = show(source)
    expect(md.querySelectorAll('script, img, a')).toHaveLength(0)
    const attributes = [...md.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name))
    expect(attributes.some((name) => name.startsWith('on'))).toBe(false)
    expect(md.textContent).toBe(source)
  })
})

describe('formatting', () => {
  test('bold, italic and inline code', () => {
    const md = show('**Bold** and *italic* and `npm run build`')
    expect(md.querySelector('strong')?.textContent).toBe('Bold')
    expect(md.querySelector('em')?.textContent).toBe('italic')
    expect(md.querySelector('code')?.textContent).toBe('npm run build')
  })

  test('snake_case words and 2*3*4 are not turned into italics', () => {
    const md = show('use my_var_name and 2*3*4')
    expect(md.querySelector('em')).toBeNull()
    expect(md.textContent).toBe('use my_var_name and 2*3*4')
  })

  test('paragraphs, line breaks and lists', () => {
    const md = show('First line\nsecond line\n\n- one\n- two\n\n1. first\n2. second')
    expect([...md.querySelectorAll('p')].map((p) => p.textContent)).toEqual(['First linesecond line'])
    expect(md.querySelector('p br')).not.toBeNull()
    expect([...md.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two'])
    expect([...md.querySelectorAll('ol > li')].map((li) => li.textContent)).toEqual(['first', 'second'])
  })

  test('a fenced block becomes a code block with its language, byte for byte', () => {
    const code = 'const html = "<b>not bold</b>"\n  if (a && b) {}'
    const md = show(`Try this:\n\`\`\`ts\n${code}\n\`\`\`\nthen rebuild`)
    expect(md.querySelector('figcaption span')?.textContent).toBe('ts')
    expect(md.querySelector('pre code')?.textContent).toBe(code)
    expect(md.querySelector('pre b')).toBeNull()
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy()
    expect([...md.querySelectorAll('p')].map((p) => p.textContent)).toEqual(['Try this:', 'then rebuild'])
  })

  test('markdown inside a code block stays literal', () => {
    const md = show('```\n**not bold** [x](https://a.b)\n```')
    expect(md.querySelector('strong, a')).toBeNull()
    expect(md.querySelector('pre code')?.textContent).toBe('**not bold** [x](https://a.b)')
  })
})
