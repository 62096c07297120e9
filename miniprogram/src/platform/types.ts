/** What the app needs from the host platform. Everything `uni.*`/`wx.*`-specific sits behind this. */
export type PlatformKind = 'mp-weixin' | 'h5'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  url: string
  method: HttpMethod
  data?: unknown
  headers?: Record<string, string>
  timeoutMs?: number
}

export interface RawResponse {
  status: number
  data: unknown
}

export interface KeyValueStorage {
  get(key: string): string | null
  set(key: string, value: string): void
  remove(key: string): void
}

export type ToastKind = 'none' | 'success' | 'error'

/** WeChat Pay JSAPI parameters as returned by the backend (an order's `request_payment`). */
export interface PaymentParams {
  timeStamp: string
  nonceStr: string
  package: string
  signType: 'RSA' | 'MD5' | 'HMAC-SHA256'
  paySign: string
}

/** A file behind the API's Bearer token (a receipt PDF). */
export interface AuthorizedDownload {
  url: string
  headers: Record<string, string>
  /** Suggested name when the browser saves instead of showing it. */
  fileName?: string
}

/** A local file sent as multipart (`uni.uploadFile`), one file a request. */
export interface UploadOptions {
  url: string
  /** A temp path from `chooseImages` (a blob: URL in H5). */
  filePath: string
  /** The form field the server reads the file from. */
  name: string
  headers: Record<string, string>
}

export interface Platform {
  readonly kind: PlatformKind
  /** Mini-program only: the `ext` object of ext.json (company config); `null` in H5. */
  getExtConfig(): Record<string, unknown> | null
  /** H5 only: `location.host` (e.g. `demo.localhost:8000`); `null` in the mini-program. */
  getHost(): string | null
  /** H5 only: `location.origin` (e.g. `http://demo.localhost:8000`); `null` in the mini-program. */
  getOrigin(): string | null
  /** Mini-program only: a `wx.login()` code for `POST /api/v1/auth/wechat/`. */
  wechatLoginCode(): Promise<string>
  readonly storage: KeyValueStorage
  request(options: RequestOptions): Promise<RawResponse>
  toast(message: string, kind?: ToastKind): void
  /** A native confirm dialog; resolves `true` on confirm. */
  confirm(message: string, title?: string): Promise<boolean>
  /** Opens a page; tab pages are switched to, others pushed. */
  navigateTo(url: string): void
  redirectTo(url: string): void
  reLaunch(url: string): void
  navigateBack(): void
  setNavigationBarColor(backgroundColor: string, frontColor: '#ffffff' | '#000000'): void
  setNavigationBarTitle(title: string): void
  /** Only on tabBar pages: colour of the selected tab. */
  setTabBarSelectedColor(color: string): void
  /** Only on tabBar pages: the tabs' texts in pages.json order (the UI language's). */
  setTabBarTexts(texts: readonly string[]): void
  /** The shown page's path, e.g. `/pages/index/index` (`null` before the first page). */
  currentPagePath(): string | null
  /**
   * Show a PDF the API serves only with the token. Mini-program: `uni.downloadFile` with the header,
   * then `uni.openDocument`. H5: a link cannot carry the header, so it is fetched as a blob and
   * opened as an object URL in a new window — opened at once, so call this straight from the tap
   * handler (before any `await`) or pop-up blockers refuse it.
   */
  openPdf(file: AuthorizedDownload): Promise<void>
  /**
   * Pick up to `count` photos from the album or the camera, compressed by the phone (the
   * mini-program's `sizeType: compressed`; H5 browsers send the original, which the server
   * re-encodes). Resolves their temp paths; rejects with `cancelled` when the owner backs out.
   */
  chooseImages(count: number): Promise<string[]>
  /** Send one local file as multipart with these headers (the token); the answer, JSON parsed. */
  uploadFile(options: UploadOptions): Promise<RawResponse>
  /**
   * An image the API serves only with the token, as a local temp path an `<image>` can show
   * (`uni.downloadFile` with the header: a temp file in the mini-program, a blob URL in H5).
   */
  downloadImage(file: AuthorizedDownload): Promise<string>
  /**
   * Full-screen photos to swipe through (`uni.previewImage`), starting at `current`: local paths
   * (from `downloadImage`), since the viewer cannot send the token. Does nothing for none.
   */
  previewImages(paths: readonly string[], current?: string): void
  /** End the pull-down-refresh animation of the current page. */
  stopPullDownRefresh(): void
  /** WeChat Pay JSAPI in the mini-program; rejects with `unsupported` in H5. */
  requestPayment(params: PaymentParams): Promise<void>
  /**
   * H5 only: leave the app for a payment provider's page (`pay_url`), telling it to come back to
   * `returnPage` of this app afterwards (WeChat Pay H5's `redirect_url`). Throws `unsupported` in
   * the mini-program, which pays with `requestPayment`.
   */
  openPaymentPage(payUrl: string, returnPage: string): void
  /**
   * Mini-program only: ask for one-time WeChat subscribe messages (`wx.requestSubscribeMessage`, at
   * most three templates; call it straight from a tap). Resolves each template id's answer
   * (`accept`, `reject`, `ban`, `filter`); rejects with `unsupported` in H5.
   */
  requestSubscribeMessage(templateIds: readonly string[]): Promise<Record<string, string>>
  /** Call a phone number (a vendor's business phone): the phone's dialler, a `tel:` link in H5. */
  makePhoneCall(phoneNumber: string): void
  /** Later (visitors, patrol): scan a QR/bar code; rejects with `unsupported` in H5. */
  scanCode(): Promise<string>
}

export class PlatformError extends Error {
  constructor(
    readonly code: 'unsupported' | 'cancelled' | 'failed',
    message: string,
    /** The HTTP status, when a download got an answer that was not the file. */
    readonly status?: number,
  ) {
    super(message)
    this.name = 'PlatformError'
  }
}
