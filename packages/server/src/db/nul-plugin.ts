import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely'

const NUL = '\u0000'
const REPLACEMENT = '\uFFFD'

const clean = (value: unknown): unknown =>
  typeof value === 'string' && value.includes(NUL) ? value.replaceAll(NUL, REPLACEMENT) : value

class NulTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const value = clean(node.value)
    return value === node.value ? node : { ...node, value }
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return node.values.some((v) => typeof v === 'string' && v.includes(NUL))
      ? { ...node, values: node.values.map(clean) }
      : node
  }
}

/**
 * Stores U+0000 in text as U+FFFD, on both databases. PostgreSQL refuses the NUL character in
 * `text` ("invalid byte sequence"), SQLite keeps it; replacing it everywhere keeps the two alike
 * (what a browser shows does not change: HTML parsing turns NUL into U+FFFD too). Every string a
 * query sends goes through here: inserted values, updates and the values a `where` compares with.
 */
export class NulPlugin implements KyselyPlugin {
  readonly #transformer = new NulTransformer()

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(node)
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result
  }
}
