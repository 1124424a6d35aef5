// A socket dot in its type's colour. While a connection is being dragged, the editor sets
// --clip-pae-dim-<Type> (theme.ts dimProperty) on its container for every type that cannot take it, dimming those dots.
import { LitElement, css, html } from 'lit';
import type { TypedSocket } from '../sockets.js';
import { dimProperty } from '../theme.js';

export class SocketElement extends LitElement {
  static override properties = { socket: { attribute: false } };
  declare socket: TypedSocket | undefined;

  static override styles = css`
    :host {
      display: inline-block;
      padding: 4px;
    }
    .dot {
      width: 14px;
      height: 14px;
      border-radius: 50%;
      box-sizing: border-box;
      border: 2px solid rgba(0, 0, 0, 0.45);
      cursor: crosshair;
      transition: transform 0.1s;
    }
    .dot:hover {
      transform: scale(1.3);
      border-color: #fff;
    }
  `;

  override render() {
    const socket = this.socket;
    if (!socket) return html``;
    return html`<div
      class="dot"
      data-testid="socket"
      data-socket-type=${socket.type}
      title="${socket.type}: ${socket.help}"
      style="background:${socket.color};opacity:var(${dimProperty(socket.type)}, 1)"
    ></div>`;
  }
}

if (!customElements.get('clip-pae-socket')) customElements.define('clip-pae-socket', SocketElement);
