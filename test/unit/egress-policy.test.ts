import { describe, expect, it } from 'vitest';
import { egressPolicy, redactedUrl, refusedAddress, refusedUrl } from '../../activities/egress.js';

const none = egressPolicy({});

describe('the egress policy', () => {
  it('refuses loopback, link-local (metadata), private, unique-local, CGNAT and unspecified addresses', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '169.254.169.254', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::', '::ffff:127.0.0.1', '::ffff:10.1.2.3']) {
      expect(refusedAddress(address, none), address).toMatch(/IRFLOW_EGRESS_ALLOW/);
    }
  });

  it('lets public addresses through', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '93.184.216.34']) expect(refusedAddress(address, none), address).toBeUndefined();
  });

  it('takes hosts, addresses and CIDR ranges from IRFLOW_EGRESS_ALLOW', () => {
    const allowed = egressPolicy({ IRFLOW_EGRESS_ALLOW: '10.20.0.0/16, 127.0.0.1 ,cmdb.internal,fd12::/16' });
    expect(refusedAddress('10.20.3.4', allowed)).toBeUndefined();
    expect(refusedAddress('10.21.3.4', allowed)).toMatch(/private/);
    expect(refusedAddress('127.0.0.1', allowed)).toBeUndefined();
    expect(refusedAddress('127.0.0.2', allowed)).toMatch(/loopback/);
    expect(refusedAddress('fd12::1', allowed)).toBeUndefined();
    expect(refusedUrl('https://cmdb.internal/api', allowed)).toBeUndefined();
  });

  it('refuses a URL with such an address, or localhost, when it is configured; names are checked as they resolve', () => {
    expect(refusedUrl('http://169.254.169.254/latest/meta-data/', none)).toMatch(/linkLocal/);
    expect(refusedUrl('http://[::1]:8080/hook', none)).toMatch(/loopback/);
    expect(refusedUrl('http://localhost:3000/', none)).toMatch(/loopback/);
    expect(refusedUrl('http://api.localhost/', none)).toMatch(/loopback/);
    expect(refusedUrl('https://hooks.example/soc', none)).toBeUndefined();
    // What the schema's ^https?:// lets through but is no URL (the fuzzer found 'http://' answered 500).
    for (const url of ['http://', 'https://[zz]/', 'http:// /x']) expect(refusedUrl(url, none), url).toMatch(/not a valid URL|without a host/);
  });

  it('names a URL by scheme and host only', () => {
    expect(redactedUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET?x=1')).toBe('https://hooks.slack.com');
  });
});
