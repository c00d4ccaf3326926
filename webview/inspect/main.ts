// The inspect panel's page: one process, its figures, history chart and exports.
import 'uplot/dist/uPlot.min.css';
import './inspect.css';
import type { FromInspectPanel, ToInspectPanel } from '../../src/protocol';
import { registerToolkit } from '../toolkit';
import { connectToHost, onHostMessage } from '../vscodeApi';
import { InspectView, parseInspectState, type InspectState } from './view';

registerToolkit();
const host = connectToHost<FromInspectPanel, InspectState>(parseInspectState);
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
// The page marks #app aria-live; with figures changing every second a screen reader would read
// them out constantly. The banners and notices are live regions of their own (role=status/alert).
root.setAttribute('aria-live', 'off');
const view = new InspectView(root, (message) => host.post(message), host.loadState(), (state) => host.saveState(state));
onHostMessage<ToInspectPanel>((message) => view.handle(message));
host.post({ type: 'ready' });
