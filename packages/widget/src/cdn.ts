// The loader's entry (`widget/app.js`): a stable name, nothing but a re-export of the hashed core.
export { boot } from './auto.js'
