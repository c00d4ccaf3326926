// The Run and Debug sidebar view: the memory of each debugged process.
import './debugView.css';
import type { FromDebugView, ToDebugView } from '../../shared/protocol/debugView';
import { registerToolkit } from '../toolkit';
import { connectToHost, onHostMessage } from '../vscodeApi';
import { DebugView } from './view';

registerToolkit();
const host = connectToHost<FromDebugView, undefined>(() => undefined);
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const view = new DebugView(root, (message) => host.post(message));
onHostMessage<ToDebugView>((message) => view.handle(message));
host.post({ type: 'ready' });
