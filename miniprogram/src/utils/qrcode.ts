/**
 * A QR code as a matrix of dark (true) and light modules, drawn by the page as views (no canvas:
 * the same markup in H5 and the WeChat mini-program). The encoder is Kazuhiko Arase's QRCode for
 * JavaScript (MIT), as vendored by the qrcode-terminal package; error correction M.
 */
import QRCode from 'qrcode-terminal/vendor/QRCode/index.js'
import QRErrorCorrectLevel from 'qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel.js'

export function qrMatrix(text: string): boolean[][] {
  const code = new QRCode(-1, QRErrorCorrectLevel.M)
  code.addData(text)
  code.make()
  const size = code.getModuleCount()
  return Array.from({ length: size }, (_r, row) => Array.from({ length: size }, (_c, col) => code.isDark(row, col)))
}
