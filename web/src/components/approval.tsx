// Approve / reject form (rejecting requires a comment).
import { useState } from 'preact/hooks';
import { enc, post } from '../api';
import { statusLabel } from '../labels';
import { ErrorSummary, FormActions, TextArea, useAction } from './forms';
import type { RequestRecord } from '../types';

/** The notice after a decision: 申請 N を承認しました（状態: …）。 */
export function decisionNotice(id: string, decision: 'approve' | 'reject', updated: RequestRecord): string {
  return `申請 ${id} を${decision === 'approve' ? '承認' : '却下'}しました（状態: ${statusLabel(updated.status)}）。`;
}

export function ApprovalForm({
  request,
  onDone,
}: {
  request: RequestRecord;
  onDone: (updated: RequestRecord, decision: 'approve' | 'reject') => void;
}) {
  const id = String(request.id);
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState('');
  const { error, setError, busy, fields, run } = useAction();

  const act = async (decision: 'approve' | 'reject') => {
    setError(null);
    if (decision === 'reject' && !comment.trim()) {
      setCommentError('却下するときは、理由をコメントに書いてください。');
      document.getElementById(`comment-${id}`)?.focus();
      return;
    }
    setCommentError('');
    await run(async () => {
      const updated = await post<RequestRecord>(`/requests/${enc(id)}/${decision}`, { comment: comment.trim() });
      setComment('');
      onDone(updated ?? request, decision);
    });
  };

  return (
    <form
      class="approval-form"
      onSubmit={(e) => {
        e.preventDefault();
        void act('approve');
      }}
      data-testid={`approval-form-${id}`}
    >
      <ErrorSummary error={error} shownFields={['comment']} />
      <TextArea
        id={`comment-${id}`}
        label={`申請 ${id} へのコメント（却下のときは必須）`}
        value={comment}
        onInput={setComment}
        rows={2}
        error={commentError || fields.comment}
        testid={`comment-${id}`}
      />
      <FormActions label="承認する" busy={busy} testid={`approve-${id}`}>
        <button type="button" class="btn btn-danger" disabled={busy} onClick={() => void act('reject')} data-testid={`reject-${id}`}>
          却下する
        </button>
      </FormActions>
    </form>
  );
}
