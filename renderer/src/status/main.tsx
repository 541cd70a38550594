import { render } from 'preact';
import { type ClientScope, pickClient } from '../api/pick-client.js';
import { AppStore } from '../state/app-store.js';
import '../styles/base.css';
import '../styles/status.css';
import { StatusApp } from './StatusApp.js';

const root = document.getElementById('app');
if (root) {
  const store = new AppStore(pickClient(window as unknown as ClientScope), { followData: true });
  render(<StatusApp store={store} />, root);
  void store.start();
}
