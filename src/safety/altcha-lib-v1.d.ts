// altcha-lib publishes ALTCHA's v1 format under the `altcha-lib/v1` export; this project's
// `moduleResolution: node` does not read package exports, so the types are pointed at by path.
declare module 'altcha-lib/v1' {
  export * from 'altcha-lib/dist/cjs/v1/index';
}
