/// <reference types="@dcloudio/types" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

/** The WeChat mini-program global; only touched inside src/platform/. */
declare const wx: Record<string, any> | undefined
