// Vocabulary ids → the Japanese shown in the UI (docs/decide.md §4–6, docs/workflows.md, docs/incidents.md).

export const ACTIONS: [string, string][] = [
  ['take_out', '情報資産の持ち出し'],
  ['send', '情報資産の送信'],
  ['dispose', '情報資産の廃棄'],
  ['copy', '情報資産の複製'],
  ['use', '情報資産の利用'],
  ['create', '情報資産の作成'],
  ['obtain', '情報資産の入手'],
  ['store', '情報資産の保管'],
  ['transport', '情報資産の運搬'],
  ['provide', '情報資産の提供'],
  ['bring_in', 'パソコン等の持込み'],
  ['segment_transfer', '領域間の通信・データ移送'],
  ['install_equipment_offsite', '庁外への機器の設置'],
  ['enter_controlled_area', '管理区域への入室'],
  ['carry_equipment', '機器等の搬入出'],
  ['dispose_equipment', '機器の廃棄・リース返却'],
  ['repair_equipment', '機器の修理'],
  ['change_wiring', '配線の変更・追加'],
  ['offsite_work', '職場外での情報処理作業'],
  ['use_non_issued_device', '支給以外のパソコン等の利用'],
  ['connect_media', '記録媒体の接続'],
  ['change_security_settings', 'セキュリティ設定の変更'],
  ['use_free_service', 'フリーメール・ネットワークストレージの利用'],
  ['send_email', '電子メールの送信'],
  ['install_software', 'ソフトウェアの導入'],
  ['change_hardware', '機器構成の変更'],
  ['connect_network', 'ネットワークへの接続'],
  ['connect_external_network', '外部ネットワークとの接続'],
  ['remote_access', '外部からのアクセス'],
  ['connect_public_network', '公衆通信回線の接続'],
  ['privileged_access', '特権IDによる接続'],
  ['delegate_privilege', '特権の代行者の指名'],
  ['change_system', 'システム変更等の作業'],
  ['exchange_with_other_organization', '他団体との情報等の交換'],
  ['exception', '例外措置'],
  ['outsource', '外部委託'],
  ['use_terms_service', '約款による外部サービスの利用'],
  ['use_cloud_service', 'クラウドサービスの利用'],
  ['post_social_media', 'ソーシャルメディアでの発信'],
  ['open_social_media_account', 'ソーシャルメディアアカウントの開設'],
];

/** Actions that need a target information asset ("required" in docs/decide.md §4). */
export const ACTIONS_NEEDING_ASSET = new Set([
  'create',
  'obtain',
  'use',
  'store',
  'send',
  'transport',
  'provide',
  'dispose',
  'copy',
  'take_out',
  'post_social_media',
]);

const actionMap = new Map(ACTIONS);
export const actionLabel = (id: string): string => actionMap.get(id) ?? id;

export const OBLIGATIONS: Record<string, string> = {
  encrypt_or_password: '暗号化又はパスワード設定',
  locked_case: '鍵付きケースへの格納',
  record: '記録の作成・保管',
  erase_irrecoverably: '復元不可能な消去',
  two_person: '2名以上での作業・相互確認',
  report_afterwards: '事後速やかな報告',
  virus_check: '不正プログラムのチェック',
  mfa: '多要素認証',
  escort: '許可された職員の付添い',
  time_limited: '時間・期間の限定',
  sanitize: '無害化',
  screen_transfer: '画面転送',
  restricted_path: '通信経路・プロトコルの限定',
  write_protect: '書込禁止の措置',
  fireproof_storage: '耐火・耐熱・耐水・耐湿の施錠可能な場所での保管',
  remote_backup_storage: '同時被災の可能性が低い地域での保管',
  hide_recipients: '他の送信先アドレスの秘匿',
  carry_identification: '身分証明書の携帯・提示',
  license_management: 'ライセンスの管理',
  confidentiality_agreement: '守秘義務契約の締結',
  contract_clauses: '情報セキュリティ要件を明記した契約',
  periodic_check: '定期的な確認',
  firewall: '境界へのファイアウォール設置',
  witness: '職員の立会い',
  impact_check: '既存システムへの影響の事前確認',
  visitor_identification: '外見上職員と区別できる措置',
  report_to_manager: '情報セキュリティ管理者への報告',
  encrypt_channel: '通信の暗号化',
  patch_check: 'ウイルス感染・パッチ適用状況の確認',
  safety_measures: '安全管理措置の実施',
  impersonation_countermeasure: 'なりすまし対策',
  classify: '分類と取扱制限の決定',
};
export const obligationLabel = (id: string): string => OBLIGATIONS[id] ?? id;

/** Fields of an obligation record (docs/workflows.md). */
export const OBLIGATION_FIELDS: Record<string, string> = {
  date: '実施日',
  person: '担当者（職員番号）',
  method: '実施内容',
  measure: '講じた例外措置',
  report: '報告内容',
  until: '期限',
  second_person: '確認者（職員番号）',
  witness: '立会者（職員番号）',
};

export const ROLES: Record<string, string> = {
  ciso: '最高情報セキュリティ責任者',
  chief_officer: '統括情報セキュリティ責任者',
  deputy_chief_officer: '統括情報セキュリティ副責任者',
  officer: '情報セキュリティ責任者',
  manager: '情報セキュリティ管理者',
  liaison: '情報セキュリティ担当者',
  staff: '職員',
  contractor: '委託事業者',
  csirt: '情報セキュリティに関する統一的な窓口（CSIRT）',
  auditor: '監査人',
};

let profileRoleTitles: Record<string, string> = {};
/** Remembers the profile's role titles (GET /profile); role display prefers them. */
export function setRoleTitles(titles: Record<string, string>): void {
  profileRoleTitles = titles;
}
export const roleLabel = (id: string): string => profileRoleTitles[id] ?? ROLES[id] ?? id;

export const EFFECTS: Record<string, string> = {
  allow: '許可',
  deny: '不許可',
  approval_required: '承認が必要',
};
export const effectLabel = (id: string | undefined): string => (id ? EFFECTS[id] ?? id : '');

export const REQUEST_STATUS: Record<string, string> = {
  pending: '承認待ち',
  approved: '承認済み',
  completed: '完了',
  denied: '不許可',
  rejected: '却下',
  withdrawn: '取下げ',
  expired: '期限切れ',
};
export const statusLabel = (id: string | undefined): string => (id ? REQUEST_STATUS[id] ?? id : '');

export const STEP_DECISION: Record<string, string> = {
  approve: '承認',
  approved: '承認',
  reject: '却下',
  rejected: '却下',
  withdraw: '取下げ',
  withdrawn: '取下げ',
};

export const ASSET_KINDS: [string, string][] = [
  ['data', '電子情報'],
  ['document', 'システム関連文書'],
  ['system', '情報システム'],
  ['media', '記録媒体'],
  ['device', 'パソコン等'],
];
export const assetKindLabel = (id: string): string => new Map(ASSET_KINDS).get(id) ?? id;

export interface ContextKey {
  id: string;
  label: string;
  kind: 'enum' | 'segment' | 'bool';
  values?: [string, string][];
}

export const CONTEXT_KEYS: ContextKey[] = [
  { id: 'purpose', label: '目的', kind: 'enum', values: [['business', '業務'], ['other', '業務以外']] },
  { id: 'destination', label: '送付先', kind: 'enum', values: [['internal', '庁内'], ['external', '庁外']] },
  {
    id: 'channel',
    label: '手段',
    kind: 'enum',
    values: [
      ['email', '電子メール'],
      ['media', '記録媒体'],
      ['paper', '紙'],
      ['network', 'ネットワーク'],
      ['vehicle', '車両等'],
      ['cloud', 'クラウド'],
    ],
  },
  { id: 'device', label: '使用機器', kind: 'enum', values: [['issued', '支給'], ['non_issued', '支給以外']] },
  {
    id: 'media',
    label: '記録媒体',
    kind: 'enum',
    values: [['authorized', '許可された媒体'], ['unauthorized', '許可されていない媒体']],
  },
  { id: 'network', label: '接続回線', kind: 'enum', values: [['office', '庁内回線'], ['public', '公衆回線']] },
  { id: 'segment', label: '領域（移送元）', kind: 'segment' },
  { id: 'to_segment', label: '移送先の領域', kind: 'segment' },
  { id: 'emergency', label: '緊急時', kind: 'bool' },
  { id: 'offsite', label: '職場外', kind: 'bool' },
  { id: 'privileged', label: '特権の使用', kind: 'bool' },
  { id: 'visitor', label: '外部からの訪問者', kind: 'bool' },
  { id: 'internet_connected', label: 'インターネットに接続されたシステム', kind: 'bool' },
  { id: 'long_term', label: '長期保管', kind: 'bool' },
  { id: 'backup', label: 'バックアップ', kind: 'bool' },
];

export const SEVERITIES: [string, string][] = [
  ['critical', '重大'],
  ['high', '高'],
  ['medium', '中'],
  ['low', '低'],
];
export const severityLabel = (id: string | undefined | null): string =>
  id ? new Map(SEVERITIES).get(id) ?? id : '未判定';

export const INCIDENT_STATES: Record<string, string> = { open: '対応中', closed: 'クローズ' };
export const incidentStateLabel = (id: string | undefined): string =>
  id ? INCIDENT_STATES[id] ?? id : '';

export const FLOW_MODES: Record<string, string> = {
  direct: '通信可',
  restricted: '経路・プロトコルを限定した通信のみ',
  sanitized: '無害化通信のみ',
  screen_transfer: '画面転送のみ',
  never: '通信不可',
};

/** The set of role ids a person holds, from their list of roles. */
export function roleSet(roles: { role: string }[] | undefined): Set<string> {
  return new Set((roles ?? []).map((r) => r.role));
}

/** Approval steps: [["chief_officer","deputy_chief_officer"],["manager"]] → "1. A 又は B　2. C" ("なし" when empty). */
export function stepsLabel(steps: string[][] | undefined): string {
  if (!steps || steps.length === 0) return 'なし';
  return steps.map((s, i) => `${i + 1}. ${s.map(roleLabel).join(' 又は ')}`).join('　');
}

/** The Japanese part of a "日本語 / English" description. */
export function japanesePart(text: string | undefined): string {
  if (!text) return '';
  const i = text.indexOf(' / ');
  return i >= 0 ? text.slice(0, i) : text;
}
