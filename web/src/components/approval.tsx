// Approve / reject form (rejecting requires a comment).
import { useState } from 'preact/hooks';
import { ApiError, enc, post } from '../api';
import { ErrorSummary, TextArea } from './forms';
import type { RequestRecord } from '../types';

export function ApprovalForm({
  request,
  onDone,
}: {
  request: RequestRecord;
  onDone: (updated: RequestRecord, decision: 'approve' | 'reject') => void;
}) {
  const id = String(request.id);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [commentError, setCommentError] = useState('');
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fieldMap() : {};

  const act = async (decision: 'approve' | 'reject') => {
    setError(null);
    if (decision === 'reject' && !comment.trim()) {
      setCommentError('却下するときは、理由をコメントに書いてください。');
      document.getElementById(`comment-${id}`)?.focus();
      return;
    }
    setCommentError('');
    setBusy(true);
    try {
      const updated = await post<RequestRecord>(`/requests/${enc(id)}/${decision}`, { comment: comment.trim() });
      setComment('');
      onDone(updated ?? request, decision);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid={`approve-${id}`}>
          承認する
        </button>
        <button type="button" class="btn btn-danger" disabled={busy} onClick={() => void act('reject')} data-testid={`reject-${id}`}>
          却下する
        </button>
      </div>
    </form>
  );
}
