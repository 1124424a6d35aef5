// A connection drawn in the colour of the socket type it carries.
import { LitElement, css, html } from 'lit';

export class ConnectionElement extends LitElement {
  static override properties = { path: { type: String }, color: { type: String }, socketType: { type: String } };
  declare path: string;
  declare color: string;
  declare socketType: string;

  static override styles = css`
    svg {
      overflow: visible !important;
      position: absolute;
      pointer-events: none;
      width: 9999px;
      height: 9999px;
    }
    path {
      fill: none;
      stroke-width: 3px;
      pointer-events: auto;
    }
    path:hover {
      stroke-width: 5px;
    }
  `;

  override render() {
    return html`<svg data-testid="connection" data-socket-type=${this.socketType ?? ''}>
      <path d=${this.path ?? ''} style="stroke:${this.color ?? '#8a93a3'}"></path>
    </svg>`;
  }
}

if (!customElements.get('clip-pae-connection')) customElements.define('clip-pae-connection', ConnectionElement);
