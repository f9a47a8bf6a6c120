/** The Suportra wire contract: a re-export of `@suportra/protocol`, so imports of `@suportra/client/protocol` keep working. */
export * from '@suportra/protocol'
