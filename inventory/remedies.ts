// Why something does not pass, and what to do about it: one table of causes, each with what
// happened and the remedy, in Vietnamese and in English, naming the thing to fix (the address
// to assign, the gateway, the interface, the service's data center). The agent's probe rows and
// checklist rows, the board and the alerts all say a cause through `sayCause`, so a refused
// connection reads the same everywhere. A cause is data (`Cause`, validated by `CauseSchema`
// in the status document): the agent records it, the board renders it in the reader's language.
import { z } from 'zod';

export type Lang = 'vi' | 'en';
export interface Bilingual {
  vi: string;
  en: string;
}

/** What a cause says: what happened, and (when something can be done) what to do. */
export interface Said {
  what: string;
  fix?: string;
}

/** The words for an item's verdict, the same in the agent's table and on the board. */
export const VERDICT_WORDS: Readonly<Record<Lang, { go: string; nogo: string; unknown: string; maintenance: string; warn: string }>> = {
  vi: { go: 'ĐẠT', nogo: 'CHƯA ĐẠT', unknown: 'KHÔNG RÕ', maintenance: 'BẢO TRÌ', warn: 'CẢNH BÁO' },
  en: { go: 'GO', nogo: 'NO-GO', unknown: 'UNKNOWN', maintenance: 'MAINTENANCE', warn: 'WARN' },
};

const LinkName = z.enum(['primary', 'backup']);
type LinkName = z.output<typeof LinkName>;
const MailProtocol = z.enum(['smtp', 'imap', 'pop3']);
const PROTOCOL: Record<z.output<typeof MailProtocol>, string> = { smtp: 'SMTP', imap: 'IMAP', pop3: 'POP3' };
/** The domain of an address. */
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

const LINK: Record<Lang, Record<LinkName, string>> = {
  vi: { primary: 'đường truyền chính', backup: 'đường truyền dự phòng' },
  en: { primary: 'primary link', backup: 'backup link' },
};
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Seconds as a reader writes them: `8,0 giây` / `8.0 s`. */
export function seconds(s: number, lang: Lang): string {
  const digits = s < 0.01 ? 3 : s < 10 ? 1 : 0;
  return lang === 'vi' ? `${s.toFixed(digits).replace('.', ',')} giây` : `${s.toFixed(digits)} s`;
}
const percent = (r: number, lang: Lang) => (lang === 'vi' ? `${(r * 100).toFixed(1).replace('.', ',')} %` : `${(r * 100).toFixed(1)} %`);
const days = (d: number, lang: Lang) => (lang === 'vi' ? `${d.toFixed(1).replace('.', ',')} ngày` : `${d.toFixed(1)} days`);

// ---------------------------------------------------------------- parameters

const S = z.string();
const N = z.number();
/** Who runs a service: its data centers' names, or the national platform's operator. */
const service = { service: S.optional(), operator: S.optional() };
const path = { link: LinkName, address: S, gateway: S };

/** The service's name, or the address it was reached at. */
const svc = (p: { service?: string | undefined; target?: string | undefined }) => p.service ?? p.target ?? '';
const who = (p: { operator?: string | undefined; service?: string | undefined }, lang: Lang) =>
  p.operator ?? (lang === 'vi' ? `đơn vị vận hành ${p.service ?? 'dịch vụ'}` : `the operator of ${p.service ?? 'the service'}`);

const RCODE: Record<Lang, Record<number, string>> = {
  vi: {
    1: 'truy vấn sai định dạng',
    2: 'máy chủ gặp lỗi',
    3: 'tên không tồn tại',
    4: 'loại truy vấn không được hỗ trợ',
    5: 'máy chủ từ chối',
  },
  en: { 1: 'malformed query', 2: 'server failure', 3: 'no such name', 4: 'query type not supported', 5: 'server refused' },
};
const MEASURE: Record<Lang, Record<'http-total' | 'first-byte' | 'tcp-connect' | 'dns-answer', string>> = {
  vi: {
    'http-total': 'tổng thời gian trả lời',
    'first-byte': 'thời gian tới byte đầu',
    'tcp-connect': 'thời gian kết nối',
    'dns-answer': 'thời gian trả lời DNS',
  },
  en: {
    'http-total': 'total response time',
    'first-byte': 'time to first byte',
    'tcp-connect': 'connect time',
    'dns-answer': 'DNS answer time',
  },
};

interface CauseDef<Shape extends z.ZodRawShape> {
  params: Shape;
  say: Record<Lang, (p: z.output<z.ZodObject<Shape>>) => Said>;
}
const def = <Shape extends z.ZodRawShape>(params: Shape, say: CauseDef<Shape>['say']): CauseDef<Shape> => ({ params, say });

// ---------------------------------------------------------------- the table

/**
 * Every cause, by kind. Probe causes come from a prober's failure (agents/probes), check causes
 * from the agent's judgement of an item (agents/checks.ts), board causes from the board itself.
 */
export const CAUSES = {
  // ---- the office's own machine and link
  'no-address': def(
    { link: LinkName, address: S, iface: S.optional() },
    {
      vi: (p) => ({
        what: `Địa chỉ ${p.address} của ${LINK.vi[p.link]} không có trên máy này`,
        fix: `Gán địa chỉ ${p.address} cho cổng mạng ${p.iface ?? `nối ${LINK.vi[p.link]}`}`,
      }),
      en: (p) => ({
        what: `The ${LINK.en[p.link]}'s address ${p.address} is not on this machine`,
        fix: `Assign ${p.address} to ${p.iface ? `interface ${p.iface}` : `the ${LINK.en[p.link]}'s network interface`}`,
      }),
    },
  ),
  'link-down': def(
    { link: LinkName, iface: S },
    {
      vi: (p) => ({
        what: `Cổng mạng ${p.iface} (${LINK.vi[p.link]}) mất tín hiệu`,
        fix: `Kiểm tra dây cáp, modem và cổng switch nối vào ${p.iface}`,
      }),
      en: (p) => ({
        what: `Interface ${p.iface} (${LINK.en[p.link]}) has no carrier`,
        fix: `Check the cable, the modem and the switch port of ${p.iface}`,
      }),
    },
  ),
  'interface-gone': def(
    { link: LinkName, iface: S, address: S },
    {
      vi: (p) => ({
        what: `Cổng mạng ${p.iface} (${LINK.vi[p.link]}) không còn trên máy`,
        fix: `Cắm lại thiết bị mạng của ${LINK.vi[p.link]} (card mạng, USB 4G) và gán lại địa chỉ ${p.address}`,
      }),
      en: (p) => ({
        what: `Interface ${p.iface} (${LINK.en[p.link]}) is gone from this machine`,
        fix: `Plug the ${LINK.en[p.link]}'s network device back in (network card, 4G stick) and assign ${p.address} again`,
      }),
    },
  ),
  'no-route': def(
    { ...path, target: S },
    {
      vi: (p) => ({
        what: `Máy không có tuyến đường tới ${p.target} từ địa chỉ ${p.address}`,
        fix: `Thêm tuyến đường tới ${p.target} qua cổng mặc định ${p.gateway} cho ${LINK.vi[p.link]}`,
      }),
      en: (p) => ({
        what: `This machine has no route to ${p.target} from ${p.address}`,
        fix: `Add a route to ${p.target} via the gateway ${p.gateway} for the ${LINK.en[p.link]}`,
      }),
    },
  ),
  'route-blackhole': def(
    { ...path, target: S },
    {
      vi: (p) => ({
        what: `Bảng định tuyến của máy này bỏ mọi gói tới ${p.target} mà không báo lỗi`,
        fix: `Xoá tuyến bỏ gói tới ${p.target} khỏi bảng định tuyến; đi qua cổng mặc định ${p.gateway}`,
      }),
      en: (p) => ({
        what: `A blackhole route on this machine drops everything sent to ${p.target}`,
        fix: `Remove the blackhole route to ${p.target}; route it via the gateway ${p.gateway}`,
      }),
    },
  ),
  'route-unreachable': def(
    { ...path, target: S },
    {
      vi: (p) => ({
        what: `Bảng định tuyến của máy này đánh dấu ${p.target} là không tới được`,
        fix: `Xoá tuyến chặn tới ${p.target} khỏi bảng định tuyến; đi qua cổng mặc định ${p.gateway}`,
      }),
      en: (p) => ({
        what: `An unreachable route on this machine blocks the way to ${p.target}`,
        fix: `Remove the unreachable route to ${p.target}; route it via the gateway ${p.gateway}`,
      }),
    },
  ),
  'route-prohibited': def(
    { ...path, target: S },
    {
      vi: (p) => ({
        what: `Bảng định tuyến của máy này cấm gửi tới ${p.target}`,
        fix: `Xoá tuyến cấm tới ${p.target} khỏi bảng định tuyến; đi qua cổng mặc định ${p.gateway}`,
      }),
      en: (p) => ({
        what: `A prohibit route on this machine forbids sending to ${p.target}`,
        fix: `Remove the prohibit route to ${p.target}; route it via the gateway ${p.gateway}`,
      }),
    },
  ),
  'gateway-silent': def(
    { link: LinkName, gateway: S },
    {
      vi: (p) => ({
        what: `Cổng mặc định ${p.gateway} của ${LINK.vi[p.link]} không trả lời trong mạng nội bộ`,
        fix: `Kiểm tra bộ định tuyến (modem) có địa chỉ ${p.gateway}: nguồn điện, dây nối, cấu hình`,
      }),
      en: (p) => ({
        what: `The ${LINK.en[p.link]}'s gateway ${p.gateway} does not answer on the office network`,
        fix: `Check the router (modem) at ${p.gateway}: power, cables, settings`,
      }),
    },
  ),
  'gateway-no-echo': def(
    { link: LinkName, gateway: S, echoes: N },
    {
      vi: (p) => ({
        what: `Cổng mặc định ${p.gateway} của ${LINK.vi[p.link]} không trả lời ${p.echoes} gói ping liên tiếp`,
        fix: `Kiểm tra bộ định tuyến (modem) ${p.gateway}; nếu thiết bị bình thường, gọi nhà mạng của ${LINK.vi[p.link]}`,
      }),
      en: (p) => ({
        what: `The ${LINK.en[p.link]}'s gateway ${p.gateway} did not answer ${p.echoes} echoes in a row`,
        fix: `Check the router (modem) at ${p.gateway}; if it is fine, call the ${LINK.en[p.link]}'s network operator`,
      }),
    },
  ),
  // ---- the network beyond the office
  'net-unreachable': def(
    { ...path, target: S, by: S.optional() },
    {
      vi: (p) => ({
        what: `Mạng${p.by ? ` (${p.by})` : ''} báo không có đường tới ${p.target}`,
        fix: `Gọi nhà mạng của ${LINK.vi[p.link]}: từ cổng mặc định ${p.gateway} không có tuyến tới ${p.target}`,
      }),
      en: (p) => ({
        what: `The network${p.by ? ` (${p.by})` : ''} reports no route to ${p.target}`,
        fix: `Call the ${LINK.en[p.link]}'s network operator: there is no route from the gateway ${p.gateway} to ${p.target}`,
      }),
    },
  ),
  'host-unreachable': def(
    { ...path, target: S, by: S.optional() },
    {
      vi: (p) => ({
        what: `Mạng${p.by ? ` (${p.by})` : ''} báo không tới được ${p.target}`,
        fix: `Gọi nhà mạng của ${LINK.vi[p.link]}; nếu cổng mặc định ${p.gateway} cũng không trả lời, kiểm tra bộ định tuyến trước`,
      }),
      en: (p) => ({
        what: `The network${p.by ? ` (${p.by})` : ''} reports ${p.target} unreachable`,
        fix: `Call the ${LINK.en[p.link]}'s network operator; if the gateway ${p.gateway} does not answer either, check the router first`,
      }),
    },
  ),
  filtered: def(
    { address: S, target: S, by: S.optional(), ...service },
    {
      vi: (p) => ({
        what: `Tường lửa${p.by ? ` tại ${p.by}` : ''} chặn gói từ ${p.address} tới ${svc(p) || p.target}`,
        fix: `Đề nghị ${who(p, 'vi')} mở tường lửa cho địa chỉ ${p.address}`,
      }),
      en: (p) => ({
        what: `A firewall${p.by ? ` at ${p.by}` : ''} blocks traffic from ${p.address} to ${svc(p) || p.target}`,
        fix: `Ask ${who(p, 'en')} to open the firewall for ${p.address}`,
      }),
    },
  ),
  timeout: def(
    { ...path, target: S, seconds: N, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} không trả lời qua ${LINK.vi[p.link]} trong ${seconds(p.seconds, 'vi')}`,
        fix: `Nếu cổng mặc định ${p.gateway} vẫn trả lời thì chỗ đứt nằm ngoài trụ sở: gọi nhà mạng của ${LINK.vi[p.link]}${p.service ? ` hoặc ${who(p, 'vi')}` : ''}; nếu không, kiểm tra bộ định tuyến`,
      }),
      en: (p) => ({
        what: `${svc(p)} does not answer over the ${LINK.en[p.link]} within ${seconds(p.seconds, 'en')}`,
        fix: `If the gateway ${p.gateway} still answers, the break is beyond the office: call the ${LINK.en[p.link]}'s network operator${p.service ? ` or ${who(p, 'en')}` : ''}; if not, check the router`,
      }),
    },
  ),
  // ---- the service itself
  refused: def(
    { target: S, port: N, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} từ chối kết nối tới cổng ${p.port}`,
        fix: `Gọi ${who(p, 'vi')}: dịch vụ không nhận kết nối tại ${p.target}:${p.port}`,
      }),
      en: (p) => ({
        what: `${svc(p)} refuses connections on port ${p.port}`,
        fix: `Call ${who(p, 'en')}: nothing accepts connections at ${p.target}:${p.port}`,
      }),
    },
  ),
  reset: def(
    { target: S, ...service },
    {
      vi: (p) => ({ what: `${svc(p)} cắt kết nối giữa chừng`, fix: `Gọi ${who(p, 'vi')}` }),
      en: (p) => ({ what: `${svc(p)} dropped the connection midway`, fix: `Call ${who(p, 'en')}` }),
    },
  ),
  stalled: def(
    { target: S, phase: z.enum(['tls', 'response']), seconds: N, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} nhận kết nối nhưng không ${p.phase === 'tls' ? 'hoàn tất bắt tay TLS' : 'trả lời'} trong ${seconds(p.seconds, 'vi')}`,
        fix: `Gọi ${who(p, 'vi')}: máy chủ của dịch vụ bị treo hoặc quá tải`,
      }),
      en: (p) => ({
        what: `${svc(p)} accepts the connection but does not ${p.phase === 'tls' ? 'finish the TLS handshake' : 'answer'} within ${seconds(p.seconds, 'en')}`,
        fix: `Call ${who(p, 'en')}: the service's server hangs or is overloaded`,
      }),
    },
  ),
  tls: def(
    { target: S, problem: z.enum(['expired', 'not-yet-valid', 'untrusted', 'name', 'handshake']), name: S.optional(), ...service },
    {
      vi: (p) => {
        const what = {
          expired: `Chứng thư số của ${svc(p)} đã hết hạn`,
          'not-yet-valid': `Chứng thư số của ${svc(p)} chưa có hiệu lực`,
          untrusted: `Chứng thư số của ${svc(p)} không do tổ chức tin cậy cấp`,
          name: `Chứng thư số của ${svc(p)} không mang tên ${p.name ?? p.target}`,
          handshake: `Bắt tay TLS với ${svc(p)} thất bại`,
        }[p.problem];
        const fix =
          p.problem === 'expired' || p.problem === 'not-yet-valid'
            ? `Kiểm tra đồng hồ máy này; nếu đúng giờ, gọi ${who(p, 'vi')} gia hạn chứng thư`
            : p.problem === 'untrusted'
              ? `Cài chứng thư gốc của tỉnh cho tác tử (caFile), hoặc gọi ${who(p, 'vi')}`
              : `Gọi ${who(p, 'vi')}`;
        return { what, fix };
      },
      en: (p) => {
        const what = {
          expired: `The certificate of ${svc(p)} has expired`,
          'not-yet-valid': `The certificate of ${svc(p)} is not valid yet`,
          untrusted: `The certificate of ${svc(p)} is not from a trusted authority`,
          name: `The certificate of ${svc(p)} does not name ${p.name ?? p.target}`,
          handshake: `The TLS handshake with ${svc(p)} failed`,
        }[p.problem];
        const fix =
          p.problem === 'expired' || p.problem === 'not-yet-valid'
            ? `Check this machine's clock; if it is right, call ${who(p, 'en')} to renew the certificate`
            : p.problem === 'untrusted'
              ? `Give the agent the province's CA (caFile), or call ${who(p, 'en')}`
              : `Call ${who(p, 'en')}`;
        return { what, fix };
      },
    },
  ),
  status: def(
    { target: S, status: N, expected: z.array(N), ...service },
    {
      vi: (p) => ({ what: `${svc(p)} trả mã HTTP ${p.status}, cần ${p.expected.join(' hoặc ')}`, fix: `Gọi ${who(p, 'vi')}` }),
      en: (p) => ({ what: `${svc(p)} answers HTTP ${p.status}, expected ${p.expected.join(' or ')}`, fix: `Call ${who(p, 'en')}` }),
    },
  ),
  redirect: def(
    { target: S, location: S.optional(), expected: S, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} chuyển hướng tới ${p.location ?? '(không có địa chỉ)'} thay vì ${p.expected}`,
        fix: `Gọi ${who(p, 'vi')} sửa chuyển hướng`,
      }),
      en: (p) => ({
        what: `${svc(p)} redirects to ${p.location ?? '(no Location)'} instead of ${p.expected}`,
        fix: `Call ${who(p, 'en')} to fix the redirect`,
      }),
    },
  ),
  protocol: def(
    { target: S, ...service },
    {
      vi: (p) => ({ what: `${svc(p)} trả lời không đúng giao thức`, fix: `Gọi ${who(p, 'vi')}` }),
      en: (p) => ({ what: `${svc(p)} answers with something malformed`, fix: `Call ${who(p, 'en')}` }),
    },
  ),
  // ---- names
  resolve: def(
    { name: S, problem: z.enum(['not-found', 'no-server']) },
    {
      vi: (p) => ({
        what:
          p.problem === 'not-found'
            ? `Tên ${p.name} không phân giải được`
            : `Không hỏi được máy chủ DNS của máy này để phân giải ${p.name}`,
        fix: 'Kiểm tra máy chủ DNS cấu hình trên máy (tệp /etc/resolv.conf)',
      }),
      en: (p) => ({
        what:
          p.problem === 'not-found'
            ? `The name ${p.name} does not resolve`
            : `This machine's DNS server cannot be asked to resolve ${p.name}`,
        fix: "Check the machine's DNS server setting (/etc/resolv.conf)",
      }),
    },
  ),
  'dns-answer': def(
    { server: S, name: S, rcode: N, ...service },
    {
      vi: (p) => ({
        what: `Máy chủ DNS ${p.server} trả lời lỗi cho ${p.name}: ${RCODE.vi[p.rcode] ?? `mã ${p.rcode}`}`,
        fix: `Gọi ${who(p, 'vi')}: máy chủ DNS phải trả lời được tên ${p.name}`,
      }),
      en: (p) => ({
        what: `The DNS server ${p.server} answers an error for ${p.name}: ${RCODE.en[p.rcode] ?? `code ${p.rcode}`}`,
        fix: `Call ${who(p, 'en')}: the DNS server must answer for ${p.name}`,
      }),
    },
  ),
  'dns-empty': def(
    { server: S, name: S, recordType: S, ...service },
    {
      vi: (p) => ({
        what: `Máy chủ DNS ${p.server} không có bản ghi ${p.recordType} cho ${p.name}`,
        fix: `Gọi ${who(p, 'vi')} bổ sung bản ghi`,
      }),
      en: (p) => ({
        what: `The DNS server ${p.server} has no ${p.recordType} record for ${p.name}`,
        fix: `Call ${who(p, 'en')} to add the record`,
      }),
    },
  ),
  // ---- mail (SMTP, IMAP, POP3) and the forwarding canary
  'mail-greeting': def(
    { target: S, protocol: MailProtocol, greeting: S, expected: S.optional(), ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} (${PROTOCOL[p.protocol]}) chào bằng “${p.greeting}”${p.expected ? `, không có “${p.expected}”` : ', không phải lời chào nhận phiên'}`,
        fix: p.expected
          ? `Gọi ${who(p, 'vi')}: địa chỉ ${p.target} không phải máy chủ thư cần tới (kiểm tra bản ghi DNS, NAT)`
          : `Gọi ${who(p, 'vi')}: máy chủ thư đang từ chối phiên làm việc`,
      }),
      en: (p) => ({
        what: `${svc(p)} (${PROTOCOL[p.protocol]}) greets with “${p.greeting}”${p.expected ? `, without “${p.expected}”` : ', not a welcome'}`,
        fix: p.expected
          ? `Call ${who(p, 'en')}: ${p.target} is not the mail server it should be (check the DNS records, the NAT)`
          : `Call ${who(p, 'en')}: the mail server refuses sessions`,
      }),
    },
  ),
  'mail-no-starttls': def(
    { target: S, protocol: MailProtocol, port: N, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} (${PROTOCOL[p.protocol]}, cổng ${p.port}) không cho mã hoá STARTTLS: thư và mật khẩu đi qua mạng không mã hoá`,
        fix: `Đề nghị ${who(p, 'vi')} bật STARTTLS với chứng thư hợp lệ trên cổng ${p.port}`,
      }),
      en: (p) => ({
        what: `${svc(p)} (${PROTOCOL[p.protocol]}, port ${p.port}) offers no STARTTLS: mail and passwords would cross the network in clear`,
        fix: `Ask ${who(p, 'en')} to enable STARTTLS with a valid certificate on port ${p.port}`,
      }),
    },
  ),
  'mail-reply': def(
    { target: S, protocol: MailProtocol, command: S, reply: S, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} (${PROTOCOL[p.protocol]}) trả lời lệnh ${p.command} bằng “${p.reply}”`,
        fix: `Gọi ${who(p, 'vi')} kiểm tra cấu hình máy chủ thư`,
      }),
      en: (p) => ({
        what: `${svc(p)} (${PROTOCOL[p.protocol]}) answers ${p.command} with “${p.reply}”`,
        fix: `Call ${who(p, 'en')} to check the mail server's settings`,
      }),
    },
  ),
  'mail-auth': def(
    { target: S, username: S, file: S, ...service },
    {
      vi: (p) => ({
        what: `Hộp thư ${p.username} không cho đăng nhập bằng mật khẩu trong tệp ${p.file}`,
        fix: `Đặt đúng mật khẩu của ${p.username} vào tệp ${p.file}, hoặc đề nghị ${who(p, 'vi')} mở lại hộp thư`,
      }),
      en: (p) => ({
        what: `The mailbox ${p.username} refuses the password in ${p.file}`,
        fix: `Put ${p.username}'s right password in ${p.file}, or ask ${who(p, 'en')} to unlock the mailbox`,
      }),
    },
  ),
  'mail-rejected': def(
    { address: S, reply: S, ...service },
    {
      vi: (p) => ({
        what: `Máy chủ thư không nhận thư gửi tới ${p.address}: “${p.reply}”`,
        fix: `Đề nghị ${who(p, 'vi')} nhận thư cho tên miền cũ ${domainOf(p.address)} và chuyển tiếp sang hộp thư mới`,
      }),
      en: (p) => ({
        what: `The mail server does not take mail for ${p.address}: “${p.reply}”`,
        fix: `Ask ${who(p, 'en')} to accept mail for the old domain ${domainOf(p.address)} and forward it to the new mailboxes`,
      }),
    },
  ),
  'mail-not-forwarded': def(
    { from: S, to: S, seconds: N, ...service },
    {
      vi: (p) => ({
        what: `Thư gửi tới địa chỉ cũ ${p.from} không tới hộp thư mới ${p.to} sau ${seconds(p.seconds, 'vi')}`,
        fix: `Đề nghị ${who(p, 'vi')} kiểm tra chuyển tiếp thư từ tên miền cũ ${domainOf(p.from)} sang ${p.to} (bảng bí danh, hàng đợi thư)`,
      }),
      en: (p) => ({
        what: `Mail sent to the old address ${p.from} did not reach the new mailbox ${p.to} within ${seconds(p.seconds, 'en')}`,
        fix: `Ask ${who(p, 'en')} to check the forwarding from the old domain ${domainOf(p.from)} to ${p.to} (alias table, mail queue)`,
      }),
    },
  ),
  'mail-forward-slow': def(
    { from: S, to: S, seconds: N, limit: N, ...service },
    {
      vi: (p) => ({
        what: `Thư gửi tới ${p.from} mất ${seconds(p.seconds, 'vi')} mới tới ${p.to}, giới hạn ${seconds(p.limit, 'vi')}`,
        fix: `Đề nghị ${who(p, 'vi')} kiểm tra hàng đợi thư của máy chủ`,
      }),
      en: (p) => ({
        what: `Mail sent to ${p.from} took ${seconds(p.seconds, 'en')} to reach ${p.to}, limit ${seconds(p.limit, 'en')}`,
        fix: `Ask ${who(p, 'en')} to check the mail server's queue`,
      }),
    },
  ),
  // ---- what a service answers
  'http-body': def(
    { target: S, expected: S, ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} trả lời nhưng nội dung không có “${p.expected}” (có thể là trang báo lỗi)`,
        fix: `Gọi ${who(p, 'vi')}: dịch vụ trả về nội dung sai`,
      }),
      en: (p) => ({
        what: `${svc(p)} answers, but its content lacks “${p.expected}” (an error page?)`,
        fix: `Call ${who(p, 'en')}: the service answers with the wrong content`,
      }),
    },
  ),
  'http-json': def(
    { target: S, path: S, expected: S, got: S.optional(), ...service },
    {
      vi: (p) => ({
        what: `${svc(p)} trả ${p.got === undefined ? 'dữ liệu không phải JSON hoặc không có' : p.got} tại ${p.path}, cần ${p.expected}`,
        fix: `Gọi ${who(p, 'vi')}: API trả lời nhưng báo trạng thái không đúng`,
      }),
      en: (p) => ({
        what: `${svc(p)} answers ${p.got === undefined ? 'no JSON value' : p.got} at ${p.path}, expected ${p.expected}`,
        fix: `Call ${who(p, 'en')}: the API answers, with the wrong state`,
      }),
    },
  ),
  'url-failed': def(
    // got: what came back, in English; gotVi: in Vietnamese, where it is words and not a status.
    { url: S, expected: S, got: S, gotVi: S.optional(), failing: N, total: N, ...service },
    {
      vi: (p) => ({
        what: `${p.failing}/${p.total} đường dẫn quan trọng không đúng; ${p.url}: cần ${p.expected}, nhận ${p.gotVi ?? p.got}`,
        fix: `Đề nghị ${who(p, 'vi')} sửa ánh xạ của ${p.url} (chuyển hướng hoặc giữ nguyên) theo danh sách đường dẫn`,
      }),
      en: (p) => ({
        what: `${p.failing}/${p.total} important URLs are wrong; ${p.url}: expected ${p.expected}, got ${p.got}`,
        fix: `Ask ${who(p, 'en')} to fix the mapping of ${p.url} (redirect or keep) as the URL list says`,
      }),
    },
  ),
  'dns-unexpected': def(
    { server: S, name: S, recordType: S, missing: z.array(S), extra: z.array(S), ...service },
    {
      vi: (p) => ({
        what: `Máy chủ DNS ${p.server} trả bản ghi ${p.recordType} của ${p.name} ${p.missing.length ? `thiếu ${p.missing.join(', ')}` : ''}${p.missing.length && p.extra.length ? ', ' : ''}${p.extra.length ? `thừa ${p.extra.join(', ')}` : ''}`,
        fix: `Đề nghị ${who(p, 'vi')} sửa bản ghi ${p.recordType} của ${p.name}`,
      }),
      en: (p) => ({
        what: `The DNS server ${p.server} answers ${p.name} ${p.recordType} ${p.missing.length ? `without ${p.missing.join(', ')}` : ''}${p.missing.length && p.extra.length ? ' and ' : ''}${p.extra.length ? `with ${p.extra.join(', ')} too` : ''}`,
        fix: `Ask ${who(p, 'en')} to correct the ${p.recordType} records of ${p.name}`,
      }),
    },
  ),
  'file-unreadable': def(
    { file: S },
    {
      vi: (p) => ({
        what: `Tác tử không đọc được tệp ${p.file}`,
        fix: `Đặt tệp ${p.file} trên máy đặt tác tử, cho tác tử quyền đọc`,
      }),
      en: (p) => ({ what: `The agent cannot read ${p.file}`, fix: `Put ${p.file} on the agent's machine, readable by the agent` }),
    },
  ),
  // ---- the agent's own means
  'ping-denied': def(
    {},
    {
      vi: () => ({
        what: 'Tác tử không được phép gửi gói ping',
        fix: 'Cài lại tác tử bằng bộ cài (sansang-agent.cjs install): dịch vụ systemd cấp quyền gửi ping',
      }),
      en: () => ({
        what: 'The agent is not allowed to send pings',
        fix: 'Install the agent again with its kit (sansang-agent.cjs install): its systemd unit grants the right to ping',
      }),
    },
  ),
  'ping-missing': def(
    {},
    {
      vi: () => ({ what: 'Máy không có chương trình ping', fix: 'Cài gói iputils-ping' }),
      en: () => ({ what: 'This machine has no ping program', fix: 'Install the package iputils-ping' }),
    },
  ),
  'bad-target': def(
    { target: S },
    {
      vi: (p) => ({
        what: `Đích đo "${p.target}" không hợp lệ nên không được đo`,
        fix: 'Sửa tệp kiểm kê (inventory) rồi làm lại bộ cài của điểm',
      }),
      en: (p) => ({
        what: `The target "${p.target}" is not valid and is not probed`,
        fix: "Fix the inventory and make the site's kit again",
      }),
    },
  ),
  other: def(
    { detail: S },
    {
      vi: () => ({ what: 'Lỗi chưa phân loại (chi tiết trong /status của tác tử)', fix: 'Báo tổ kỹ thuật, gửi kèm /status của tác tử' }),
      en: (p) => ({ what: `Unclassified error: ${p.detail}`, fix: "Tell the technical team, with the agent's /status" }),
    },
  ),
  // ---- the agent's judgement of an item
  slow: def(
    { measure: z.enum(['http-total', 'first-byte', 'tcp-connect', 'dns-answer']), seconds: N, limit: N, ...service },
    {
      vi: (p) => ({
        what: `${p.service ?? 'Dịch vụ'} trả lời chậm: ${MEASURE.vi[p.measure]} ${seconds(p.seconds, 'vi')}, giới hạn ${seconds(p.limit, 'vi')}`,
        fix: `Gọi ${who(p, 'vi')}; nếu mọi dịch vụ đều chậm, gọi nhà mạng`,
      }),
      en: (p) => ({
        what: `${p.service ?? 'The service'} is slow: ${MEASURE.en[p.measure]} ${seconds(p.seconds, 'en')}, limit ${seconds(p.limit, 'en')}`,
        fix: `Call ${who(p, 'en')}; if every service is slow, call the network operator`,
      }),
    },
  ),
  loss: def(
    { link: LinkName, target: S, ratio: N, limit: N },
    {
      vi: (p) => ({
        what: `Mất ${percent(p.ratio, 'vi')} gói tới ${p.target} trên ${LINK.vi[p.link]}, giới hạn ${percent(p.limit, 'vi')}`,
        fix: `Gọi nhà mạng của ${LINK.vi[p.link]}: chất lượng đường truyền kém`,
      }),
      en: (p) => ({
        what: `${percent(p.ratio, 'en')} of packets to ${p.target} lost over the ${LINK.en[p.link]}, limit ${percent(p.limit, 'en')}`,
        fix: `Call the ${LINK.en[p.link]}'s network operator: the link is poor`,
      }),
    },
  ),
  latency: def(
    { link: LinkName, target: S, seconds: N, limit: N },
    {
      vi: (p) => ({
        what: `Độ trễ tới ${p.target} trên ${LINK.vi[p.link]} là ${seconds(p.seconds, 'vi')}, giới hạn ${seconds(p.limit, 'vi')}`,
        fix: `Gọi nhà mạng của ${LINK.vi[p.link]}: độ trễ cao`,
      }),
      en: (p) => ({
        what: `Round trip to ${p.target} over the ${LINK.en[p.link]} is ${seconds(p.seconds, 'en')}, limit ${seconds(p.limit, 'en')}`,
        fix: `Call the ${LINK.en[p.link]}'s network operator: latency is high`,
      }),
    },
  ),
  'no-echo-sent': def(
    { link: LinkName },
    {
      vi: (p) => ({ what: `Không có gói ping nào qua ${LINK.vi[p.link]} trong vòng đo này`, fix: `Xem hạng mục ${LINK.vi[p.link]}` }),
      en: (p) => ({ what: `No echo went over the ${LINK.en[p.link]} this round`, fix: `See the ${LINK.en[p.link]} item` }),
    },
  ),
  disk: def(
    { mount: S, free: N, min: N },
    {
      vi: (p) => ({
        what: `Ổ ${p.mount} còn trống ${percent(p.free, 'vi')}, tối thiểu ${percent(p.min, 'vi')}`,
        fix: `Giải phóng dung lượng trên ${p.mount}`,
      }),
      en: (p) => ({
        what: `${p.mount} has ${percent(p.free, 'en')} free, minimum ${percent(p.min, 'en')}`,
        fix: `Free some space on ${p.mount}`,
      }),
    },
  ),
  'disk-unreadable': def(
    {},
    {
      vi: () => ({ what: 'Không đọc được dung lượng các ổ đĩa', fix: 'Báo tổ kỹ thuật, gửi kèm /status của tác tử' }),
      en: () => ({ what: 'The filesystems could not be read', fix: "Tell the technical team, with the agent's /status" }),
    },
  ),
  'cert-expiring': def(
    { days: N, min: N, ...service },
    {
      vi: (p) => ({
        what: `Chứng thư số của ${p.service ?? 'dịch vụ'} còn hạn ${days(p.days, 'vi')}, tối thiểu ${days(p.min, 'vi')}`,
        fix: `Gọi ${who(p, 'vi')} gia hạn chứng thư`,
      }),
      en: (p) => ({
        what: `The certificate of ${p.service ?? 'the service'} is valid for ${days(p.days, 'en')}, minimum ${days(p.min, 'en')}`,
        fix: `Call ${who(p, 'en')} to renew the certificate`,
      }),
    },
  ),
  'no-cert': def(
    {},
    {
      vi: () => ({ what: 'Chưa thấy chứng thư HTTPS nào trong vòng đo này', fix: 'Xem các hạng mục kết nối tới dịch vụ HTTPS' }),
      en: () => ({ what: 'No HTTPS certificate was seen this round', fix: 'See the items of the HTTPS services' }),
    },
  ),
  'no-probe': def(
    { link: LinkName.optional(), category: S.optional() },
    {
      vi: (p) => ({
        what: p.link ? `Không có phép đo nào qua ${LINK.vi[p.link]}` : `Không có dịch vụ nhóm ${p.category ?? ''} để đo`,
        fix: 'Bổ sung dịch vụ vào tệp kiểm kê (inventory) rồi làm lại bộ cài của điểm',
      }),
      en: (p) => ({
        what: p.link ? `No probe runs over the ${LINK.en[p.link]}` : `No service of category ${p.category ?? ''} to probe`,
        fix: "Add the service to the inventory and make the site's kit again",
      }),
    },
  ),
  'not-judged': def(
    { evidence: S },
    {
      vi: (p) => ({ what: `Tác tử không đánh giá loại hạng mục ${p.evidence}` }),
      en: (p) => ({ what: `The agent does not judge ${p.evidence} items` }),
    },
  ),
  'running-on-backup': def(
    { uplinkKind: S, address: S },
    {
      vi: (p) => ({
        what: `Bộ định tuyến đang chạy trên đường dự phòng (${p.uplinkKind}, trung tâm dữ liệu thấy địa chỉ ${p.address})`,
        fix: 'Gọi nhà mạng của đường truyền chính; kiểm tra cổng đường chính của bộ định tuyến hai đường tại trụ sở',
      }),
      en: (p) => ({
        what: `The router is running on its backup uplink (${p.uplinkKind}; the data center sees ${p.address})`,
        fix: "Call the primary uplink's network operator; check the dual-WAN router's primary port at the office",
      }),
    },
  ),
  'uplink-unknown': def(
    { address: S.optional() },
    {
      vi: (p) => ({
        what: p.address
          ? `Trung tâm dữ liệu thấy địa chỉ ${p.address}, không phải địa chỉ của đường nào trong tệp kiểm kê`
          : 'Chưa hỏi được trung tâm dữ liệu đang thấy địa chỉ nào',
        fix: 'Ghi đúng địa chỉ của từng đường của bộ định tuyến (router.uplinks) trong tệp kiểm kê',
      }),
      en: (p) => ({
        what: p.address
          ? `The data center sees ${p.address}, the address of no uplink in the inventory`
          : 'No data center has said yet which address it sees',
        fix: "Write each uplink's address (router.uplinks) in the inventory",
      }),
    },
  ),
  // ---- the board
  'push-silent': def(
    { link: LinkName },
    {
      vi: (p) => ({
        what: `Chưa nhận được dữ liệu tác tử gửi lên qua ${LINK.vi[p.link]} (trung tâm dữ liệu không gọi được tác tử qua đường này)`,
        fix: `Kiểm tra ${LINK.vi[p.link]} và dịch vụ sansang-agent; dữ liệu gửi chậm sẽ được bù khi đường thông`,
      }),
      en: (p) => ({
        what: `Nothing has arrived from the agent over the ${LINK.en[p.link]} lately (the data center cannot call it there)`,
        fix: `Check the ${LINK.en[p.link]} and the sansang-agent service; what was held back is sent when it is back`,
      }),
    },
  ),
  'agent-silent': def(
    {},
    {
      vi: () => ({
        what: 'Tác tử không trả lời qua đường truyền nào',
        fix: 'Kiểm tra máy đặt tác tử (nguồn điện, dịch vụ sansang-agent); nếu cả trụ sở mất mạng, gọi nhà mạng',
      }),
      en: () => ({
        what: 'The agent answers over no link',
        fix: "Check the agent's machine (power, the sansang-agent service); if the whole office is offline, call the network operator",
      }),
    },
  ),
  'link-lost': def(
    { link: LinkName, over: LinkName, address: S.optional() },
    {
      vi: (p) => ({
        what: `${cap(LINK.vi[p.link])} mất: tác tử trả lời qua ${LINK.vi[p.over]} nhưng không qua ${LINK.vi[p.link]}${p.address ? ` (${p.address})` : ''}`,
        fix: `Gọi nhà mạng của ${LINK.vi[p.link]}; kiểm tra bộ định tuyến của ${LINK.vi[p.link]} tại trụ sở`,
      }),
      en: (p) => ({
        what: `The ${LINK.en[p.link]} is down: the agent answers over the ${LINK.en[p.over]}, not over the ${LINK.en[p.link]}${p.address ? ` (${p.address})` : ''}`,
        fix: `Call the ${LINK.en[p.link]}'s network operator; check the ${LINK.en[p.link]}'s router at the office`,
      }),
    },
  ),
  'agent-bad-document': def(
    {},
    {
      vi: () => ({ what: 'Tác tử trả về dữ liệu không hợp lệ', fix: 'Cài tác tử từ bộ cài mới nhất' }),
      en: () => ({ what: 'The agent answers with an invalid document', fix: 'Install the agent from the latest kit' }),
    },
  ),
  'agent-wrong-site': def(
    { site: S },
    {
      vi: (p) => ({ what: `Tác tử trả lời cho điểm khác (${p.site})`, fix: 'Cài đúng bộ cài của điểm này' }),
      en: (p) => ({ what: `The agent answers for another site (${p.site})`, fix: "Install this site's own kit" }),
    },
  ),
  'board-blind': def(
    {},
    {
      vi: () => ({
        what: 'Bảng theo dõi (hoặc Prometheus nó đọc) không liên lạc được với tác tử nào: lỗi ở phía bảng, không phải ở đơn vị',
        fix: 'Kiểm tra mạng của máy chạy bảng theo dõi (hoặc Prometheus) và đường tới mạng TSLCD',
      }),
      en: () => ({
        what: 'The board (or the Prometheus it reads) reaches no agent at all: the fault is on the board’s side, not at the unit',
        fix: "Check the network of the board's (or Prometheus') machine and its route to the WAN",
      }),
    },
  ),
  'board-clock-off': def(
    { offset: N },
    {
      vi: (p) => ({
        what: `Đồng hồ của máy chạy bảng theo dõi lệch khoảng ${p.offset} giây so với các tác tử: không đánh giá được đồng hồ của đơn vị`,
        fix: 'Đồng bộ thời gian (NTP) cho máy chạy bảng theo dõi',
      }),
      en: (p) => ({
        what: `The board's own clock is about ${p.offset} s off the agents': the units' clocks cannot be judged`,
        fix: "Synchronise the board machine's clock (NTP)",
      }),
    },
  ),
  'prometheus-unreachable': def(
    { url: S, detail: S },
    {
      vi: (p) => ({
        what: `Bảng theo dõi không đọc được Prometheus ${p.url} (${p.detail}): mọi đơn vị KHÔNG RÕ, không phải CHƯA ĐẠT`,
        fix: 'Kiểm tra Prometheus của trung tâm dữ liệu (tiến trình, cổng, tường lửa) và đường tới nó từ máy chạy bảng',
      }),
      en: (p) => ({
        what: `The board cannot read Prometheus ${p.url} (${p.detail}): every unit is UNKNOWN, not NO-GO`,
        fix: "Check the data center's Prometheus (process, port, firewall) and the route to it from the board's machine",
      }),
    },
  ),
  'rules-missing': def(
    { url: S, series: S },
    {
      vi: (p) => ({
        what: `Prometheus ${p.url} không có chuỗi ${p.series}: chưa nạp các luật ghi (recording rules); mọi đơn vị KHÔNG RÕ`,
        fix: 'Tạo luật bằng `sansang config rules`, thêm vào rule_files của Prometheus rồi nạp lại',
      }),
      en: (p) => ({
        what: `Prometheus ${p.url} has no series of ${p.series}: the recording rules are not loaded; every unit is UNKNOWN`,
        fix: 'Write them with `sansang config rules`, add them to rule_files and reload Prometheus',
      }),
    },
  ),
  'shared-incident': def(
    { title: S, titleEn: S, units: N, of: N },
    {
      vi: (p) => ({
        what: `Sự cố chung: ${p.title} không đạt tại ${p.units}/${p.of} đơn vị cùng lúc; nguyên nhân ở phía trung tâm, không phải tại đơn vị này`,
        fix: 'Không cần xử lý tại đơn vị; theo dõi sự cố chung ở đầu bảng',
      }),
      en: (p) => ({
        what: `Shared incident: ${p.titleEn} fails at ${p.units} of ${p.of} units at once; the cause is central, not at this unit`,
        fix: 'Nothing to fix at the unit; follow the shared incident at the top of the board',
      }),
    },
  ),
  'not-polled': def(
    {},
    {
      vi: () => ({ what: 'Bảng chưa hỏi tác tử lần nào' }),
      en: () => ({ what: 'The board has not asked the agent yet' }),
    },
  ),
  'not-judged-yet': def(
    {},
    {
      vi: () => ({ what: 'Tác tử chưa đánh giá hạng mục này (chờ một chu kỳ đo)' }),
      en: () => ({ what: 'The agent has not judged this item yet (one probe interval)' }),
    },
  ),
  'not-reported': def(
    {},
    {
      vi: () => ({ what: 'Tác tử không báo hạng mục này', fix: 'Cài tác tử từ bộ cài mới nhất của điểm' }),
      en: () => ({ what: 'The agent does not report this item', fix: "Install the agent from the site's latest kit" }),
    },
  ),
  'central-only': def(
    { evidence: S },
    {
      vi: (p) => ({ what: `Hạng mục loại ${p.evidence} chỉ được đánh giá khi bảng đọc từ Prometheus` }),
      en: (p) => ({ what: `${p.evidence} items are judged only when the board reads Prometheus` }),
    },
  ),
  'clock-off': def(
    { offset: N, max: N },
    {
      vi: (p) => ({
        what: `Đồng hồ máy đặt tác tử lệch ${seconds(Math.abs(p.offset), 'vi')} (tối đa ${seconds(p.max, 'vi')})`,
        fix: 'Đồng bộ đồng hồ máy (NTP)',
      }),
      en: (p) => ({
        what: `The agent's clock is off by ${seconds(Math.abs(p.offset), 'en')} (max ${seconds(p.max, 'en')})`,
        fix: "Synchronise the machine's clock (NTP)",
      }),
    },
  ),
  recovering: def(
    { passing: N, need: N },
    {
      vi: (p) => ({ what: `Đạt trở lại được ${seconds(p.passing, 'vi')}; ${VERDICT_WORDS.vi.go} khi giữ đủ ${seconds(p.need, 'vi')}` }),
      en: (p) => ({
        what: `Passing again for ${seconds(p.passing, 'en')}; ${VERDICT_WORDS.en.go} once it holds for ${seconds(p.need, 'en')}`,
      }),
    },
  ),
  'passing-new': def(
    { passing: N, need: N },
    {
      vi: (p) => ({ what: `Đạt được ${seconds(p.passing, 'vi')}; ${VERDICT_WORDS.vi.go} khi giữ đủ ${seconds(p.need, 'vi')}` }),
      en: (p) => ({
        what: `Passing for ${seconds(p.passing, 'en')}; ${VERDICT_WORDS.en.go} once it has held for ${seconds(p.need, 'en')}`,
      }),
    },
  ),
  'not-signed': def(
    {},
    {
      vi: () => ({ what: 'Chưa ký xác nhận', fix: 'Người phụ trách ký xác nhận trên bảng khi đã xong' }),
      en: () => ({ what: 'Not signed off yet', fix: 'The owner signs it off on the board once done' }),
    },
  ),
  'sign-withdrawn': def(
    {},
    {
      vi: () => ({ what: 'Xác nhận đã bị rút lại' }),
      en: () => ({ what: 'The sign-off was withdrawn' }),
    },
  ),
  // ---- the alerts' own causes (their parameters are template expressions)
  'service-unreachable': def(
    { check: S, site: S },
    {
      vi: (p) => ({
        what: `Hạng mục ${p.check} tại ${p.site} không đạt: dịch vụ không tới được qua đường truyền nào`,
        fix: 'Xem nguyên nhân và cách khắc phục trên trang đơn vị của bảng theo dõi',
      }),
      en: (p) => ({
        what: `Item ${p.check} fails at ${p.site}: the service is unreachable over every link`,
        fix: "See the cause and its remedy on the board's unit page",
      }),
    },
  ),
  'wan-down': def(
    { site: S },
    {
      vi: (p) => ({
        what: `Điểm ${p.site} mất mọi đường truyền`,
        fix: 'Gọi nhà mạng của cả hai đường truyền; kiểm tra nguồn điện bộ định tuyến tại trụ sở',
      }),
      en: (p) => ({
        what: `${p.site} has lost every link`,
        fix: "Call both links' network operators; check the routers' power at the office",
      }),
    },
  ),
} as const;

export type CauseKind = keyof typeof CAUSES;
type ParamsOf<K extends CauseKind> = keyof (typeof CAUSES)[K]['params'] extends never
  ? unknown
  : z.output<z.ZodObject<(typeof CAUSES)[K]['params']>>;
/** One cause with its parameters. */
export type Cause = { [K in CauseKind]: { kind: K } & ParamsOf<K> }[CauseKind];
/** The cause of one kind. */
export type CauseOf<K extends CauseKind> = Extract<Cause, { kind: K }>;

const CAUSE_KINDS = Object.keys(CAUSES) as CauseKind[];
type CauseSchemas = z.ZodObject<z.ZodRawShape>;
/** A cause as the status document carries it. */
export const CauseSchema = z.discriminatedUnion(
  'kind',
  CAUSE_KINDS.map((k) => z.strictObject({ kind: z.literal(k), ...CAUSES[k].params })) as unknown as [CauseSchemas, ...CauseSchemas[]],
) as unknown as z.ZodType<Cause>;

/** What a cause says in one language. */
export function sayCause(c: Cause, lang: Lang): Said {
  // The table entry of the cause's own kind reads the cause's own parameters.
  const say = CAUSES[c.kind].say[lang] as (p: Cause) => Said;
  return say(c);
}

/** One line: what happened, then what to do. */
export function causeLine(c: Cause, lang: Lang): string {
  const s = sayCause(c, lang);
  return s.fix ? `${s.what} — ${s.fix}` : s.what;
}

/** What happened in both languages, and the remedy in both when there is one. */
export function causeTexts(c: Cause): { reason: Bilingual; fix?: Bilingual } {
  const vi = sayCause(c, 'vi');
  const en = sayCause(c, 'en');
  return { reason: { vi: vi.what, en: en.what }, ...(vi.fix && en.fix ? { fix: { vi: vi.fix, en: en.fix } } : {}) };
}
