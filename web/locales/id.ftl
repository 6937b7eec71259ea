# msai-ledger web app: Indonesian messages (translated from en.ftl, the reference catalogue).
# Every other catalogue must have every message this one has (a test checks it).
# Variables are written { $name }; plurals use a select on the number:
#   { $count -> [one] ... *[other] ... }
# Note: Indonesian (Intl "id") has only the plural category `other`; the `[one]` variants
# below are kept for symmetry with en.ftl but are never chosen.

## Frame
language = Bahasa
skip-to-content = Langsung ke isi
nav-label = Menu
loading = Memuat…
offline = Offline: pekerjaan Anda tersimpan di HP ini
offline-copy = Tidak ada koneksi: ini yang disimpan HP saat terakhir online.
signed-in-as = Masuk sebagai { $name }
nav-home = Beranda
nav-network = Laporan jaringan
nav-new-group = Kelompok baru
nav-new-user = Pengguna baru
nav-outbox = { $count ->
    [0] Kotak keluar
   *[other] Kotak keluar ({ $count })
}
nav-signout = Keluar
error-title = Terjadi kesalahan
not-found-title = Halaman tidak ditemukan
not-found-text = Tidak ada apa-apa di alamat ini.
yes = Ya
no = Tidak
cancel = Batal

## Signing in and out
signin-title = Masuk
signin-intro = Masuk dengan nama pengguna dan kata sandi dari kelompok Anda.
signin-username = Nama pengguna
signin-password = Kata sandi
signin-submit = Masuk
signing-in = Sedang masuk…
signin-outbox-waiting = { $count ->
    [one] Satu catatan tersimpan menunggu di HP ini. Masuk untuk mengirimnya.
   *[other] { $count } catatan tersimpan menunggu di HP ini. Masuk untuk mengirimnya.
}
signout-unsent = { $count ->
    [one] Satu catatan belum terkirim. Catatan ini tetap di HP ini dan dikirim saat Anda masuk lagi. Keluar sekarang?
   *[other] { $count } catatan belum terkirim. Catatan tetap di HP ini dan dikirim saat Anda masuk lagi. Keluar sekarang?
}
signout-anyway = Keluar

## Group home
action-meeting = Catat pertemuan
action-members = Anggota
action-withdraw = Penarikan
action-remit = Kiriman uang
action-investments = Investasi
action-distribute = Bagi keuntungan
action-trial-balance = Neraca saldo
home-cash = Uang yang ada
home-no-cash = Belum ada rekening kas atau bank.
home-members = Anggota
home-members-count = { $count ->
    [one] Satu anggota aktif
   *[other] { $count } anggota aktif
}
home-last-meeting = Pertemuan terakhir
home-last-meeting-on = { $date }: { $count ->
    [one] satu setoran
   *[other] { $count } setoran
}
home-no-meeting = Belum ada pertemuan yang dicatat.
home-waiting = Menunggu dikirim
home-waiting-count = { $count ->
    [one] Satu catatan di kotak keluar
   *[other] { $count } catatan di kotak keluar
}
home-nothing-waiting = Tidak ada yang menunggu.

## Members
members-title = Anggota { $group }
members-add = Tambah anggota
members-search = Cari nama atau nomor
members-none = Tidak ada anggota yang cocok.
member-name = Nama lengkap
member-sex = Jenis kelamin
member-home-country = Negara asal
member-host-country = Negara tempat bekerja
member-contact = Telepon atau kontak lain (tidak wajib)
member-added = { $name } adalah anggota nomor { $number }.
member-number = Anggota nomor { $number }
member-balances = Saldo
country-hint = Dua huruf, misalnya PH, ID, NP atau HK.
currency-hint = Tiga huruf, misalnya HKD.
sex-female = Perempuan
sex-male = Laki-laki
sex-other = Lainnya
sex-undisclosed = Tidak ingin menyebutkan
status-active = Aktif
status-returned_home = Sudah pulang
status-exited = Keluar dari kelompok
fund-savings = Tabungan
fund-capital = Modal
fund-payable = Utang kepada anggota
fund-other = Lainnya

## Passbook
passbook-title = Buku tabungan
passbook-of = Buku tabungan { $name }
passbook-account = { $account }: setiap transaksi dengan saldo sesudahnya
passbook-empty = Belum ada transaksi.
passbook-print = Cetak atau simpan sebagai PDF
col-date = Tanggal
col-what = Keterangan
col-in = Masuk
col-out = Keluar
col-balance = Saldo
col-account = Akun
col-amount = Jumlah
col-member = Anggota
col-channel = Cara
col-sent = Dikirim
col-received = Diterima
col-cost = Biaya
col-debits = Debit
col-credits = Kredit
col-currency = Mata uang

## Meeting sheet
sheet-title = Pertemuan { $group }
sheet-intro = Ketik setoran tiap anggota, dalam { $currency }. Semua langsung tersimpan di HP ini saat Anda mengetik, meski tanpa koneksi.
sheet-correcting = Anda sedang memperbaiki pertemuan yang ditolak. Jika disimpan, akan dikirim lagi.
sheet-date = Tanggal pertemuan
sheet-present = Hadir
sheet-savings = Tabungan
sheet-capital = Modal
sheet-social = Dana sosial
sheet-present-of = { $name } hadir
sheet-savings-of = Setoran tabungan { $name }
sheet-capital-of = Setoran modal { $name }
sheet-social-of = Setoran dana sosial { $name }
sheet-no-members = Kelompok belum punya anggota aktif.
sheet-totals = Jumlah
sheet-total = Semua setoran
sheet-present-count = { $count ->
    [one] satu hadir
   *[other] { $count } hadir
}
sheet-cash-counted = Uang tunai yang dihitung ({ $currency })
sheet-cash-matches = Uang tunai yang dihitung sama dengan setoran.
sheet-cash-over = Uang tunai lebih { $amount } dari setoran.
sheet-cash-short = Uang tunai kurang { $amount } dari setoran.
sheet-save = Simpan pertemuan
sheet-confirm = Simpan pertemuan { $date }: { $count ->
    [one] satu setoran
   *[other] { $count } setoran
}, total { $total }? Akan dikirim begitu ada koneksi.
sheet-fix-cells = Ada jumlah yang tidak terbaca: perbaiki yang ditandai.
sheet-empty = Tidak ada yang disimpan: tandai siapa yang hadir atau ketik setoran.

## Amounts typed
amount-empty = Ketik jumlahnya.
amount-format = Ini bukan jumlah uang. Gunakan angka dan tanda desimal bahasa Anda.
amount-decimals = Terlalu banyak angka di belakang tanda desimal untuk mata uang ini.
amount-negative = Jumlah tidak boleh minus.
amount-zero = Jumlah harus lebih dari nol.
field-required = Wajib diisi.
field-invalid = Tidak diterima; periksa lagi.

## Outbox
outbox-title = Kotak keluar
outbox-intro = Yang Anda simpan di HP ini. Setiap catatan dikirim satu kali, begitu ada koneksi.
outbox-send-now = Kirim sekarang
outbox-empty = Belum ada yang disimpan.
outbox-meeting = Pertemuan { $group } tanggal { $date }: { $total } ({ $count ->
    [one] satu setoran
   *[other] { $count } setoran
})
outbox-withdrawal = Penarikan { $amount } oleh { $name }
outbox-saved-at = Disimpan { $at }
outbox-waiting = Menunggu dikirim.
outbox-waiting-offline = Menunggu koneksi.
outbox-sent = Terkirim { $at }.
outbox-receipt = Tanda terima { $receipt }
outbox-refused = Ditolak:
outbox-correct = Perbaiki dan kirim lagi
outbox-remove = Hapus
outbox-remove-confirm = Hapus catatan ini? Catatan ini tidak akan dikirim.

## Withdrawals
withdraw-title = Penarikan
withdraw-amount = Jumlah ({ $currency })
withdraw-next = Periksa
withdraw-confirm = { $name } mengambil { $amount } dari tabungannya.
withdraw-balance-after = Tabungan sesudahnya: { $amount }
withdraw-balance-after-kept = Tabungan sesudahnya (menurut data online terakhir): { $amount }
withdraw-balance-unknown = Saldo tidak diketahui di HP ini; buku besar memeriksanya saat penarikan dikirim.
withdraw-may-be-refused = Ini lebih dari tabungan yang terakhir terlihat: buku besar mungkin menolaknya.
withdraw-save = Simpan penarikan
withdraw-correcting = Anda sedang memperbaiki penarikan yang ditolak.
choose-member = Pilih anggota
channel-cash = Tunai
channel-bank = Bank
channel-mobile_wallet = Dompet digital
channel-remittance = Kiriman uang
channel-money_transfer_operator = Jasa pengiriman uang
channel-post = Kantor pos

## Remittances
remit-title = Kiriman uang
remit-send = Jumlah dikirim ({ $currency })
remit-fee = Biaya kirim ({ $currency })
remit-receive-currency = Mata uang yang diterima
remit-receive = Jumlah diterima
remit-mid = Kurs pasar (tidak wajib)
remit-mid-hint = Berapa mata uang penerima yang didapat untuk satu unit yang dikirim, menurut kurs pasar hari ini.
remit-provider = Perusahaan atau bank yang dipakai
remit-purpose = Untuk apa uangnya
remit-cost = Biaya: { $percent } % dari jumlah dikirim, { $amount } { $home }
remit-save = Simpan kiriman uang
remit-saved = Tersimpan. Biayanya { $percent } % ({ $amount }).
purpose-family_support = Kebutuhan keluarga
purpose-education = Pendidikan
purpose-health = Kesehatan
purpose-group_savings = Tabungan kelompok
purpose-investment = Investasi
purpose-debt = Bayar utang
purpose-other = Lainnya

## Investments
investments-title = Investasi
investments-none = Belum ada investasi.
investment-new = Investasi baru
investment-name = Nama
investment-kind = Jenis
investment-sector = Bidang (misalnya pertanian, warung)
investment-currency = Mata uang
investment-committed = Jumlah yang dijanjikan (tidak wajib)
investment-women-led = Dipimpin perempuan
investment-save = Simpan investasi
investment-book-value = Nilai
investment-income = Pendapatan diterima
investment-status = Status
investment-status-active = Aktif
investment-status-exited = Selesai
investment-status-written_off = Dianggap hilang
kind-cooperative = Koperasi
kind-enterprise = Usaha
kind-livelihood = Mata pencaharian
kind-land = Tanah
kind-deposit = Deposito
kind-other = Lainnya
movement-title = Uang masuk atau keluar investasi
movement-what = Apa yang terjadi
movement-disbursement = Uang yang ditanamkan
movement-income = Pendapatan yang diterima
movement-capital_returned = Modal yang dikembalikan
movement-save = Simpan
movement-not-enough = Rekening kelompok tidak punya uang sebanyak itu.

## Sharing out
distribute-title = Bagi keuntungan
distribute-pool = Jumlah yang dibagi ({ $currency })
distribute-basis = Dibagi menurut
distribute-pay-to = Dimasukkan ke
distribute-preview = Tampilkan bagian masing-masing
distribute-shares = Bagian tiap anggota
distribute-total = Total: { $amount }
distribute-confirm = Bagi sekarang
distribute-sure = Bagi { $amount } seperti yang ditampilkan? Ini dicatat di buku besar.
distribute-done = Sudah dibagi.
basis-savings = Tabungan
basis-capital = Modal
basis-equal = Sama rata
pay-to-savings = Tabungan anggota
pay-to-capital = Modal anggota
pay-to-payable = Utang, dibayar nanti

## Member's own screens
me-title = Kelompok saya
me-no-groups = Anda belum menjadi anggota kelompok mana pun.
me-balances = Uang saya
me-remittances = Kiriman uang saya
me-no-remittances = Belum ada kiriman uang.
me-receipts = Tanda terima saya
me-no-receipts = Belum ada tanda terima.
me-receipts-note = Setiap tanda terima ditandatangani oleh layanan. Siapa pun dapat memeriksanya, tanpa aplikasi, dengan kunci yang diterbitkan di /.well-known/msai-ledger/keys.
receipt-number = No.
receipt-contribution = Setoran
receipt-withdrawal = Penarikan
receipt-remittance = Kiriman uang
receipt-of = { $what } tanggal { $date } (No. { $number })
receipt-signed-text = Teks yang ditandatangani:
receipt-signature = Tanda tangan (Ed25519, kunci { $key }):
me-investments = Investasi kelompok dan bagian saya
me-my-share = Bagian saya
me-ledger = Buku besar kelompok
me-ledger-ok = Buku besar cocok: { $count ->
    [one] satu transaksi
   *[other] { $count } transaksi
} diperiksa, tidak ada yang diubah.
me-ledger-broken = Buku besar tidak cocok. Beri tahu auditor kelompok.
me-ledger-unknown = Buku besar tidak bisa diperiksa sekarang.

## Oversight
groups-title = Kelompok
groups-none = Belum ada kelompok.
tb-title = Neraca saldo { $group }
tb-totals = Total per mata uang
tb-balanced = Seimbang
download-csv = Unduh CSV
network-title = Laporan jaringan
network-choose = Laporan
report-savings = Tabungan
report-portfolio = Investasi
report-remittance-corridors = Jalur kiriman uang
report-indicators = Indikator
report-reintegration = Pulang kampung
report-empty = Laporan kosong.
report-savings-trend = Tabungan per bulan
nav-dashboard = Dasbor
dashboard-title = Dasbor jaringan
dashboard-group-title = Dasbor { $group }
dashboard-filters = Filter
dashboard-host = Negara tempat bekerja
dashboard-home = Negara asal
dashboard-group = Kelompok
dashboard-any = Semua
dashboard-from = Dari
dashboard-to = Sampai
dashboard-apply = Tampilkan
dashboard-table = Angka di balik grafik
dashboard-suppressed = disembunyikan
dashboard-print = Cetak
chart-savings-title = Tabungan di akhir setiap bulan, menurut jenis kelamin
chart-portfolio-title = Investasi
chart-corridors-title = Biaya median mengirim uang ke kampung (% dari jumlah yang dikirim)
chart-committed = Dijanjikan
chart-disbursed = Dicairkan
chart-book-value = Nilai buku
chart-target-3 = Target SDG 3 %
chart-line-5 = Garis 5 %
chart-empty = Tidak ada yang bisa ditampilkan untuk filter ini
summary-savings = Bulan terakhir, { $month }: { $figures }. { $suppressed } dari { $cells } angka disembunyikan karena menyangkut kurang dari { $min } orang.
summary-portfolio = { $kinds } baris dalam { $currency }; nilai buku terbesar ada pada { $kind } ({ $value }).
summary-corridors = { $above } dari { $total } bulan koridor berbiaya lebih dari target 3 %, dan { $over } lebih dari 5 %.
summary-empty = Tidak ada yang bisa ditampilkan untuk filter ini.
col-month = Bulan
col-sex = Jenis kelamin
col-members = Anggota
col-joined = Bergabung
col-left = Keluar
col-deposits = Setoran
col-withdrawals = Penarikan
col-savings = Tabungan
col-kind = Jenis
col-corridor = Koridor
col-count = Kiriman
col-median-cost = Biaya median %
col-cost-spread = Separuh tengah biaya %
col-provider-type = Jenis penyedia
dashboard-corridors-by = Biaya kiriman uang
corridors-by-all = semua penyedia
corridors-by-channel = menurut jenis penyedia
col-average-cost = Biaya rata-rata %
portfolio-by-kind = menurut jenis
portfolio-by-sector = menurut sektor
portfolio-by-country = menurut negara
portfolio-by-status = menurut status
portfolio-by-women_led = menurut apakah dipimpin perempuan
women-led-true = Dipimpin perempuan
women-led-false = Tidak dipimpin perempuan
women-led-unknown = Tidak dicatat
dashboard-portfolio-by = Rincian investasi
col-line = Baris
col-income = Pendapatan
col-roi = Imbal hasil %
report-returned-home = Sudah pulang
chart-returned-title = Anggota yang sudah pulang: dibayarkan dan masih diinvestasikan
chart-paid-out = Dibayarkan
chart-capital-held = Masih diinvestasikan
col-home-country = Negara asal
col-savings-at-return = Tabungan saat pulang
summary-returned = { $shown } dari { $cells } kelompok anggota yang pulang ditampilkan; sisanya disembunyikan karena menyangkut kurang dari { $min } orang. Dibayarkan dalam { $currency }: { $paid }; masih diinvestasikan: { $held }.

## Setting up
group-name = Nama kelompok
group-host-country = Negara tempat anggota bekerja
group-home-country = Negara asal
group-currency = Mata uang kelompok
group-create = Buat kelompok
group-created = Kelompok { $name } sudah dibuat.
user-role = Peran
user-group = Kelompok
user-create = Buat pengguna
user-created = Pengguna { $name } sudah dibuat.
username-hint = 3 sampai 64 huruf, angka, titik, tanda hubung atau @.
password-hint = Minimal 12 karakter.
role-admin = Administrator
role-auditor = Auditor
role-treasurer = Bendahara
role-chair = Ketua
role-member = Anggota

## Refusals, from the problem type the service answers
problem-unreachable = Tidak ada koneksi ke layanan. Pekerjaan Anda tersimpan di HP ini.
problem-unknown = Layanan menolak ini (kesalahan { $status }).
problem-invalid-field = Ada isian yang salah.
problem-malformed-json = Permintaan tidak bisa dibaca.
problem-overdraft = Tabungan tidak cukup: ini lebih dari yang dimiliki anggota.
problem-unauthorized = Silakan masuk lagi.
problem-invalid-credentials = Nama pengguna atau kata sandi salah.
problem-too-many-attempts = Terlalu banyak percobaan yang salah. Tunggu beberapa menit lalu coba lagi.
problem-forbidden = Anda tidak boleh melakukan ini.
problem-not-found = Tidak ditemukan.
problem-closed-period = Tanggal ini ada di periode yang sudah ditutup. Pakai tanggal yang lebih baru.
problem-member-not-active = Anggota ini tidak aktif.
problem-member-exited = Anggota ini sudah keluar dari kelompok.
problem-unknown-member = Anggota ini tidak ada di kelompok.
problem-duplicate-username = Nama pengguna ini sudah dipakai. Pilih yang lain.
problem-idempotency-key-reused = Ini sudah pernah dikirim dengan angka yang berbeda.
problem-request-in-flight = Ini sedang dikirim. Tunggu sebentar.
problem-group-closed = Kelompok sudah ditutup.
problem-remittance-not-in-transit = Kiriman ini tidak sedang dalam perjalanan: sudah tiba, atau sudah selesai atau gagal.
problem-remittance-settled = Kiriman ini sudah tiba atau gagal: tidak bisa dibatalkan. Catat koreksi saja.
problem-currency-mismatch = Mata uangnya tidak cocok.
problem-pool-exceeds-available = Uang yang bisa dibagi tidak sebanyak itu.
problem-no-recipients = Tidak ada anggota yang bisa menerima bagian.
problem-uses-mismatch = Jumlah semua penggunaan harus sama dengan jumlah yang diterima.
problem-non-positive-amount = Jumlah harus lebih dari nol.
problem-amount-overflow = Jumlahnya terlalu besar.
problem-unavailable = Layanan sedang sibuk. Akan dicoba lagi nanti.
problem-request-timeout = Layanan terlalu lama menjawab. Akan dicoba lagi nanti.
problem-csrf = Ditolak demi keamanan Anda: muat ulang halaman lalu coba lagi.
problem-investment-closed = Investasi ini sudah ditutup.
problem-unknown-investment = Investasi ini tidak ada di kelompok.
problem-last-admin = Administrator terakhir tidak bisa dihapus.
problem-cannot-disable-self = Anda tidak bisa menonaktifkan diri sendiri.
problem-body-too-large = Ini terlalu besar untuk dikirim.
problem-internal = Layanan gagal. Akan dicoba lagi nanti.
problem-account-kind = Akun ini tidak bisa dipakai untuk ini.
problem-already-reversed = Ini sudah pernah dikoreksi.
problem-body-timeout = Koneksi terlalu lambat. Akan dicoba lagi nanti.
problem-duplicate-account-code = Sudah ada akun dengan kode ini.
problem-entry-count = Satu transaksi perlu paling sedikit dua baris, dan tidak terlalu banyak.
problem-headers-too-large = Permintaannya terlalu besar.
problem-idempotency-key-required = Permintaan ini perlu kuncinya. Muat ulang halaman lalu coba lagi.
problem-invalid-idempotency-key = Kunci permintaan ini tidak sah. Muat ulang halaman lalu coba lagi.
problem-invalid-parameter = Ada yang salah di alamat.
problem-items-refused = Ada catatan yang ditolak; tidak ada yang disimpan.
problem-malformed-csv = Berkas tabel tidak bisa dibaca.
problem-method-not-allowed = Ini tidak bisa dilakukan di sini.
problem-period-already-closed = Periode ini sudah ditutup.
problem-reversal-of-reversal = Koreksi tidak bisa dikoreksi lagi.
problem-status-transition = Perubahan status ini tidak diizinkan.
problem-too-many-connections = Layanan sedang sibuk. Akan dicoba lagi nanti.
problem-unbalanced = Debit dan kredit tidak seimbang.
problem-unknown-account = Akun ini tidak ada di kelompok.
problem-unsupported-media-type = Permintaan tidak bisa dibaca.

## Approvals (a second person for money going out)
nav-approvals = Persetujuan
action-approvals = Persetujuan
home-approvals-count = { $count ->
    [one] { $count } catatan menunggu persetujuan
   *[other] { $count } catatan menunggu persetujuan
}
home-approvals-many = Lebih dari { $count } catatan menunggu persetujuan
home-approvals-none = Tidak ada yang menunggu persetujuan.
home-approvals-unknown = Yang menunggu persetujuan tidak bisa dilihat sekarang.
approval-waiting = Menunggu persetujuan orang lain: belum dilakukan.
approval-see-list = Lihat yang menunggu persetujuan
approval-now-approved = Disetujui: sudah dilakukan.
approval-now-rejected = Ditolak: tidak dilakukan.
approval-now-expired = Kedaluwarsa tanpa keputusan: tidak dilakukan.
approval-kind-withdrawal = Penarikan
approval-kind-exit = Anggota keluar dari kelompok
approval-kind-policy = Perubahan aturan persetujuan
approval-kind-disbursement = Uang dimasukkan ke investasi
approval-kind-distribution = Pembagian keuntungan
approval-kind-reversal = Koreksi
approval-kind-period_close = Penutupan periode
approval-status-pending = Menunggu
approval-status-approved = Disetujui
approval-status-rejected = Ditolak
approval-status-expired = Kedaluwarsa
approval-unknown-member = Anggota yang tidak ada di daftar
approval-exit-as = Keluar sebagai
approval-asked-by = Diminta oleh
approval-you = Anda
approval-someone = Orang lain (pengguna { $id })
approval-asked-at = Diminta
approval-expires-at = Kedaluwarsa
approval-decided-by = Diputuskan oleh
approval-decided-at = Diputuskan
approval-note = Catatan
approval-note-optional = Catatan (boleh kosong)
approval-would-post = Yang akan ditulis di buku besar
approval-waiting-other = Menunggu orang lain: Anda yang meminta ini, jadi orang lain yang memutuskan.
approval-approve = Setujui
approval-reject = Tolak
approval-approved-done = Disetujui. Sudah ditulis di buku besar.
approval-rejected-done = Ditolak. Tidak ada yang ditulis.
approvals-title = Persetujuan { $group }
approvals-mine-title = Menunggu keputusan Anda
approvals-intro = Uang keluar bisa memerlukan orang kedua. Periksa setiap catatan dengan kotak uang sebelum Anda menyetujuinya.
approvals-items = Catatan
approvals-show = Tampilkan
approvals-none = Tidak ada di sini.
col-group = Kelompok
col-side = Sisi
col-status = Status
direction-debit = Debit
direction-credit = Kredit
policy-title = Yang memerlukan orang kedua
policy-withdrawals-above = Penarikan lebih dari { $amount }
policy-no-withdrawal-waits = Tidak ada penarikan yang menunggu, berapa pun jumlahnya.
policy-exits-on = Setiap anggota yang keluar dari kelompok
policy-exits-off = Anggota yang keluar dari kelompok tidak menunggu.
policy-disbursements-on = Setiap uang yang dimasukkan ke investasi
policy-disbursements-off = Uang yang dimasukkan ke investasi tidak menunggu.
policy-distributions-on = Setiap pembagian keuntungan
policy-distributions-off = Pembagian keuntungan tidak menunggu.
policy-reversals-on = Setiap koreksi
policy-reversals-off = Koreksi tidak menunggu.
policy-period_closes-on = Setiap penutupan periode
policy-period_closes-off = Penutupan periode tidak menunggu.
policy-expires = Catatan yang tidak diputuskan dalam { $hours } jam menjadi kedaluwarsa.
policy-change = Ubah aturan ini
policy-screen-title = Aturan persetujuan { $group }
policy-now = Aturan sekarang
policy-limit = Penarikan di atas jumlah ini menunggu ({ $currency })
policy-limit-hint = Kosongkan jika tanpa batas; 0 membuat setiap penarikan menunggu.
policy-exits-label = Setiap anggota yang keluar dari kelompok menunggu persetujuan
policy-hours = Jam sebelum catatan kedaluwarsa
policy-save = Simpan aturan
policy-waits = Perubahan Anda menunggu persetujuan orang lain.
policy-applied = Aturan baru berlaku sekarang.
policy-admin-applies = Anda administrator: perubahan Anda langsung berlaku.
policy-treasurer-waits = Perubahan Anda baru berlaku setelah orang lain menyetujuinya.

## Remittances on their way
remit-status-arrived = Sudah sampai
remit-status-in_transit = Dalam perjalanan
remit-status-completed = Sudah sampai (dikonfirmasi)
remit-status-failed = Gagal atau dikembalikan
remit-in-transit-label = Belum sampai: catat sebagai dalam perjalanan
remit-saved-in-transit = Disimpan sebagai dalam perjalanan. Catat kedatangannya setelah keluarga mengonfirmasi.
remit-in-transit-title = Kiriman dalam perjalanan
remit-in-transit-none = Tidak ada kiriman dalam perjalanan.
remit-sent-on = Dikirim { $date }, { $days ->
    [one] { $days } hari yang lalu
   *[other] { $days } hari yang lalu
}
remit-arrived-amount = Jumlah yang diterima ({ $currency })
remit-arrived-save = Sudah sampai
remit-failed-kept = Diambil perusahaan ({ $currency }, boleh kosong)
remit-failed-save = Gagal atau kembali
remit-arrived-done = Kedatangan dicatat.
remit-failed-done = Dicatat gagal: uangnya kembali ke tabungan anggota.
member-remittances = Kiriman uang

## Group performance
action-performance = Kinerja
action-accreditation = Pernyataan untuk akreditasi
perf-title = Kinerja { $group }
perf-from = Dari
perf-from-hint = Kosong: sejak hari pertama kelompok.
perf-to = Sampai
perf-to-hint = Kosong: sampai hari ini.
perf-period = { $from } sampai { $to } ({ $days ->
    [one] satu hari
   *[other] { $days } hari
})
perf-not-available = Tidak tersedia
perf-ind-members = Anggota
perf-ind-members_at_start = Anggota di awal
perf-ind-women_percent = Perempuan di antara anggota
perf-ind-meetings = Pertemuan
perf-ind-attendance_percent = Kehadiran
perf-ind-savings = Tabungan anggota
perf-ind-savings_per_member = Tabungan per anggota
perf-ind-net_income = Laba bersih
perf-ind-return_on_savings_percent = Imbal hasil tabungan per tahun
perf-ind-return_on_assets_percent = Imbal hasil aset per tahun
perf-ind-members_left = Anggota yang keluar
perf-ind-dropout_percent = Tingkat keluar
perf-ind-portfolio_written_down_percent = Investasi yang diturunkan nilainya
perf-ind-social_fund = Dana sosial
perf-ind-savings_mobilised = Tabungan yang terhimpun
perf-none-here = Tidak ada nilai di sini:
perf-def-members = Anggota pada akhir periode: mereka yang sudah bergabung paling lambat pada hari terakhirnya dan sampai hari itu belum pulang atau keluar dari kelompok.
perf-def-members_at_start = Anggota pada hari sebelum periode dimulai, dihitung dengan cara yang sama.
perf-def-women_percent = Bagian perempuan di antara anggota pada akhir periode: perempuan ÷ anggota × 100.
perf-def-meetings = Pertemuan yang diadakan dalam periode ini.
perf-def-attendance_percent = Berapa banyak anggota yang datang ke pertemuan dalam periode ini: kehadiran yang dicatat ÷ (untuk setiap pertemuan, jumlah anggota kelompok pada hari itu) × 100.
perf-def-savings = Tabungan anggota pada akhir periode, dalam { $currency }: saldo rekening tabungan setiap anggota.
perf-def-savings_per_member = Tabungan per anggota pada akhir periode, dalam { $currency }: tabungan anggota ÷ anggota, sampai sen.
perf-def-net_income = Yang diperoleh kelompok dalam periode ini, dalam { $currency }: pendapatan dikurangi beban yang dicatat dalam periode ini (pendapatan investasi dan keuntungan selisih kurs, dikurangi biaya, kerugian selisih kurs dan penurunan nilai investasi); jumlah dalam mata uang lain tidak dikonversi dan tidak dihitung.
perf-def-return_on_savings_percent = Imbal hasil tahunan atas tabungan anggota: laba bersih ÷ tabungan rata-rata (rata-rata tabungan pada hari sebelum periode dan pada hari terakhirnya) × 365 ÷ jumlah hari periode × 100.
perf-def-return_on_assets_percent = Imbal hasil tahunan atas aset kelompok: laba bersih ÷ aset rata-rata dalam mata uang kelompok (rata-rata pada hari sebelum periode dan pada hari terakhirnya) × 365 ÷ jumlah hari periode × 100.
perf-def-members_left = Anggota yang pulang atau keluar dari kelompok selama periode ini.
perf-def-dropout_percent = Tingkat keluar: anggota yang pulang atau keluar dari kelompok selama periode ini ÷ anggota pada hari sebelum periode dimulai × 100.
perf-def-portfolio_written_down_percent = Bagian investasi yang diturunkan nilainya: penurunan nilai yang dicatat dalam periode ini ÷ semua uang yang dicairkan ke investasi dalam { $currency } sampai akhir periode × 100.
perf-def-social_fund = Dana sosial (dana kesejahteraan) pada akhir periode, dalam { $currency }: uang yang disimpan untuk anggota yang membutuhkan, tidak pernah dibagikan.
perf-def-savings_mobilised = Tabungan yang terhimpun dalam periode ini, dalam { $currency }: semua yang dibayarkan ke rekening tabungan anggota (setoran, kiriman uang untuk kelompok, bagian hasil yang dimasukkan ke tabungan).
accr-title = Pernyataan untuk akreditasi { $group }
accr-on = Tanggal pernyataan
accr-on-hint = Kosong: hari ini.
accr-print = Cetak atau simpan sebagai PDF
accr-download = Unduh pernyataan yang ditandatangani (JSON)
accr-heading = { $group }: angka yang diaudit per { $date }
accr-countries = Anggota bekerja di { $host }; negara asal { $home }; mata uang kelompok { $currency }.
accr-balance-sheet = Neraca ({ $currency })
accr-assets = Aset
accr-total-assets = Total aset
accr-liabilities = Kewajiban
accr-total-liabilities = Total kewajiban
accr-equity = Ekuitas
accr-total-equity = Total ekuitas
accr-result = Hasil dan pemeriksaan keseimbangan
accr-unclosed-income = Pendapatan yang belum ditutup ke ekuitas
accr-unclosed-expenses = Beban yang belum ditutup ke ekuitas
accr-equation-assets = Aset
accr-equation-other-side = Kewajiban, ekuitas dan hasil
accr-equation-holds = Neraca seimbang: aset sama dengan kewajiban, ekuitas dan hasil.
accr-equation-broken = Neraca tidak seimbang.
accr-income-statement = Laporan laba rugi sampai tanggal ini ({ $currency })
accr-income = Pendapatan
accr-total-income = Total pendapatan
accr-expenses = Beban
accr-total-expenses = Total beban
accr-net-income = Laba bersih
accr-savings-mobilised = Tabungan yang terhimpun
accr-savings-mobilised-text = Semua yang disetor ke tabungan anggota sampai tanggal ini:
accr-investments = Investasi
accr-committed = Dijanjikan
accr-disbursed = Ditanamkan
accr-no-investments = Tidak ada investasi pada tanggal ini.
accr-distributions = Pembagian keuntungan
accr-pool = Dibagikan
accr-members = Anggota
accr-no-distributions = Belum ada pembagian keuntungan sampai tanggal ini.
accr-indicators = Indikator dari { $from } sampai { $to }
accr-indicator = Indikator
accr-value = Nilai
accr-definition = Definisi
accr-chain = Pemeriksaan buku besar
accr-chain-ok = Rantai hash buku besar cocok: { $count ->
    [one] satu transaksi
   *[other] { $count } transaksi
} diperiksa, tidak ada yang diubah.
accr-chain-broken = Rantai hash buku besar tidak cocok. Jangan mengandalkan pernyataan ini sebelum auditor memeriksanya.
accr-chain-head = Transaksi terakhir: No. { $sequence }. Hash-nya:
accr-signature = Tanda tangan
accr-signed-by = Layanan menandatangani pernyataan ini pada { $when } dengan kunci Ed25519 miliknya, { $key }.
accr-key-id = Id kunci:
accr-signature-value = Tanda tangan (base64):
accr-verify-title = Cara bank memeriksanya, tanpa akun
accr-verify-file = Minta berkas yang ditandatangani kepada kelompok (tombol "Unduh pernyataan yang ditandatangani" di halaman ini membuatnya).
accr-verify-keys = Ambil kunci publik layanan, terbuka untuk siapa saja, dan pakai kunci dengan key id { $key }:
accr-verify-check = Periksa tanda tangan Ed25519 terhadap byte persis dari "payload" berkas itu, misalnya dengan OpenSSL seperti di bawah.
accr-verify-meaning = Jika cocok, angka di berkas itu adalah yang ditandatangani layanan, dan halaman ini menampilkan angka dari berkas itu.
