/** "3 new messages": mail newer than the top row waits behind this button, so the list never moves by itself. */
export function NewMessagesButton({ count, onShow }: { count: number; onShow: () => void }) {
  if (count === 0) return null;
  return (
    <button type="button" className="button primary new-messages" onClick={onShow}>
      {count.toLocaleString('en-US')} new {count === 1 ? 'message' : 'messages'}
    </button>
  );
}
