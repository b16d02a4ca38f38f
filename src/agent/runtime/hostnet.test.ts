import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleArgs } from './hostnet.js';

test('iptables -S rules split into arguments, quoted comments kept whole', () => {
  assert.deepEqual(ruleArgs('-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ'),
    ['-A', 'POSTROUTING', '-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', 'CNI-HOSTPORT-MASQ']);
  assert.deepEqual(ruleArgs('-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'), ['-A', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']);
});
