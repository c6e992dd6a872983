"""Demo services with full standards, used by `load_demo_data`. The malls they attach to
are real; the services are typical of an MPP but their details are made up, and each demo
service's description says so."""

COMMON = {
    "complaint_channel": "Kotak pengaduan di loket; SP4N-LAPOR! (lapor.go.id); "
    "WhatsApp pengaduan MPP; langsung ke koordinator MPP",
    "facilities": "Ruang tunggu ber-AC, nomor antrean, kursi prioritas, toilet disabilitas, "
    "pojok laktasi, area bermain anak",
    "staff_competence": "Memahami peraturan layanan, mampu mengoperasikan aplikasi layanan, "
    "ramah dan komunikatif",
    "internal_supervision": "Pengawasan oleh atasan langsung dan koordinator MPP; evaluasi bulanan",
    "service_guarantee": "Layanan diberikan sesuai standar pelayanan dan maklumat pelayanan",
    "safety_guarantee": "Data pemohon dijaga kerahasiaannya; CCTV dan petugas keamanan",
    "performance_evaluation": "Survei Kepuasan Masyarakat tiap semester; evaluasi kinerja "
    "petugas tiap tahun",
}

# agency code → list of (slug, name, standard fields)
SERVICES = {
    "dukcapil": [
        (
            "ktp-el",
            "Perekaman dan pencetakan KTP-el",
            {
                "legal_basis": "UU 24/2013 tentang Administrasi Kependudukan; Perpres 96/2018",
                "requirements": ["Kartu Keluarga (KK)", "Telah berusia 17 tahun atau sudah kawin"],
                "procedure": [
                    "Ambil nomor antrean",
                    "Verifikasi data di loket",
                    "Perekaman sidik jari, iris dan foto",
                    "Pencetakan KTP-el",
                ],
                "completion_time_value": 60,
                "completion_time_unit": "minutes",
                "fee_amount": 0,
                "fee_note": "Gratis (UU 24/2013 Pasal 79A)",
                "product": "KTP elektronik",
                "staff_count": 3,
            },
        ),
        (
            "kartu-keluarga",
            "Penerbitan Kartu Keluarga",
            {
                "legal_basis": "UU 24/2013; Permendagri 108/2019",
                "requirements": [
                    "KK lama",
                    "Surat keterangan pindah/akta perkawinan bila ada",
                    "Formulir F-1.01",
                ],
                "procedure": [
                    "Ambil nomor antrean",
                    "Serahkan berkas",
                    "Verifikasi",
                    "Cetak KK dengan tanda tangan elektronik",
                ],
                "completion_time_value": 1,
                "completion_time_unit": "working_days",
                "fee_amount": 0,
                "fee_note": "Gratis",
                "product": "Kartu Keluarga",
                "staff_count": 2,
            },
        ),
        (
            "akta-kelahiran",
            "Penerbitan Akta Kelahiran",
            {
                "legal_basis": "UU 24/2013; Perpres 96/2018",
                "requirements": [
                    "Surat keterangan lahir dari rumah sakit/bidan",
                    "KK orang tua",
                    "KTP-el orang tua",
                    "Buku nikah/akta perkawinan orang tua",
                ],
                "procedure": [
                    "Ambil nomor antrean",
                    "Serahkan berkas",
                    "Verifikasi dan validasi",
                    "Cetak akta",
                ],
                "completion_time_value": 1,
                "completion_time_unit": "working_days",
                "fee_amount": 0,
                "fee_note": "Gratis",
                "product": "Kutipan Akta Kelahiran",
                "staff_count": 2,
            },
        ),
    ],
    "polri-skck": [
        (
            "skck",
            "Penerbitan SKCK",
            {
                "legal_basis": "UU 2/2002 tentang Kepolisian; Perpol 6/2023",
                "requirements": [
                    "Fotokopi KTP-el",
                    "Fotokopi KK",
                    "Pas foto 4x6 latar merah (6 lembar)",
                    "Rumus sidik jari",
                ],
                "procedure": [
                    "Ambil nomor antrean",
                    "Isi formulir",
                    "Pengambilan sidik jari",
                    "Verifikasi",
                    "Pembayaran PNBP",
                    "Pencetakan SKCK",
                ],
                "completion_time_value": 2,
                "completion_time_unit": "hours",
                "fee_amount": 30000,
                "fee_note": "PNBP sesuai PP 76/2020",
                "product": "Surat Keterangan Catatan Kepolisian",
                "staff_count": 2,
            },
        ),
    ],
    "bpjs-kesehatan": [
        (
            "pendaftaran-jkn",
            "Pendaftaran peserta JKN",
            {
                "legal_basis": "UU 40/2004 tentang SJSN; Perpres 82/2018",
                "requirements": ["KTP-el", "KK", "Nomor rekening/virtual account untuk iuran"],
                "procedure": [
                    "Ambil nomor antrean",
                    "Isi formulir daftar isian peserta",
                    "Verifikasi data",
                    "Penerbitan nomor virtual account",
                ],
                "completion_time_value": 30,
                "completion_time_unit": "minutes",
                "fee_amount": 0,
                "fee_note": "Gratis; iuran bulanan sesuai kelas",
                "product": "Kartu Indonesia Sehat (digital)",
                "staff_count": 2,
            },
        ),
        (
            "perubahan-data-jkn",
            "Perubahan data peserta JKN",
            {
                "legal_basis": "Perpres 82/2018; Peraturan BPJS Kesehatan 6/2018",
                "requirements": ["KTP-el", "KK", "Dokumen pendukung perubahan"],
                "procedure": ["Ambil nomor antrean", "Serahkan berkas", "Perubahan data"],
                "completion_time_value": 15,
                "completion_time_unit": "minutes",
                "fee_amount": 0,
                "fee_note": "Gratis",
                "product": "Data peserta diperbarui",
                "staff_count": 1,
            },
        ),
    ],
    "imigrasi": [
        (
            "paspor",
            "Permohonan paspor biasa",
            {
                "legal_basis": "UU 6/2011 tentang Keimigrasian; Permenkumham 18/2022",
                "requirements": [
                    "KTP-el",
                    "KK",
                    "Akta kelahiran/ijazah/buku nikah",
                    "Bukti pembayaran PNBP",
                ],
                "procedure": [
                    "Daftar antrean daring (M-Paspor)",
                    "Verifikasi berkas",
                    "Foto dan wawancara",
                    "Pembayaran",
                    "Pencetakan paspor",
                ],
                "completion_time_value": 4,
                "completion_time_unit": "working_days",
                "fee_amount": 350000,
                "fee_note": "PNBP paspor elektronik 5 tahun (PP 45/2024)",
                "product": "Paspor RI",
                "staff_count": 3,
            },
        ),
    ],
    "djp": [
        (
            "npwp",
            "Pendaftaran NPWP orang pribadi",
            {
                "legal_basis": "UU 6/1983 jo. UU 7/2021 (KUP); PMK 112/2022",
                "requirements": ["KTP-el", "Alamat e-mail aktif"],
                "procedure": [
                    "Ambil nomor antrean",
                    "Isi formulir pendaftaran",
                    "Verifikasi",
                    "Penerbitan NPWP/aktivasi NIK sebagai NPWP",
                ],
                "completion_time_value": 1,
                "completion_time_unit": "working_days",
                "fee_amount": 0,
                "fee_note": "Gratis",
                "product": "Kartu NPWP",
                "staff_count": 1,
            },
        ),
    ],
    "samsat": [
        (
            "pajak-kendaraan",
            "Pembayaran pajak kendaraan bermotor tahunan",
            {
                "legal_basis": "UU 1/2022 tentang HKPD; Perda Provinsi tentang Pajak Daerah",
                "requirements": ["STNK asli", "KTP-el pemilik sesuai STNK"],
                "procedure": [
                    "Ambil nomor antrean",
                    "Pendaftaran",
                    "Penetapan pajak",
                    "Pembayaran di kasir",
                    "Pengesahan STNK",
                ],
                "completion_time_value": 30,
                "completion_time_unit": "minutes",
                "fee_amount": 0,
                "fee_note": "Sesuai penetapan PKB dan SWDKLLJ",
                "product": "STNK disahkan dan SKPD",
                "staff_count": 3,
            },
        ),
    ],
    "bpn": [
        (
            "pengecekan-sertifikat",
            "Pengecekan sertifikat tanah",
            {
                "legal_basis": "PP 18/2021; PP 128/2015 tentang PNBP ATR/BPN",
                "requirements": [
                    "Sertifikat asli",
                    "KTP-el pemohon",
                    "Surat kuasa bila dikuasakan",
                ],
                "procedure": [
                    "Ambil nomor antrean",
                    "Serahkan berkas",
                    "Pembayaran PNBP",
                    "Pengecekan buku tanah",
                    "Penyerahan hasil",
                ],
                "completion_time_value": 1,
                "completion_time_unit": "working_days",
                "fee_amount": 50000,
                "fee_note": "PNBP sesuai PP 128/2015",
                "product": "Sertifikat tercek",
                "staff_count": 2,
            },
        ),
    ],
    "dpmptsp": [
        (
            "nib",
            "Pendampingan Nomor Induk Berusaha (NIB) melalui OSS",
            {
                "legal_basis": "PP 5/2021 tentang Perizinan Berusaha Berbasis Risiko",
                "requirements": ["KTP-el", "NPWP", "Alamat e-mail dan nomor ponsel aktif"],
                "procedure": [
                    "Ambil nomor antrean",
                    "Pembuatan akun OSS",
                    "Pengisian data usaha",
                    "Penerbitan NIB",
                ],
                "completion_time_value": 60,
                "completion_time_unit": "minutes",
                "fee_amount": 0,
                "fee_note": "Gratis",
                "product": "Nomor Induk Berusaha",
                "staff_count": 2,
            },
        ),
    ],
}

DEMO_MALLS = {
    # mall code: the agencies that get a tenancy, services and a counter there
    "mpp-6202": ["dukcapil", "polri-skck", "bpjs-kesehatan", "djp", "samsat", "bpn", "dpmptsp"],
    "mpp-31": [
        "dukcapil",
        "polri-skck",
        "bpjs-kesehatan",
        "imigrasi",
        "djp",
        "samsat",
        "bpn",
        "dpmptsp",
    ],
    "mpp-7371": ["dukcapil", "polri-skck", "bpjs-kesehatan", "imigrasi", "samsat", "dpmptsp"],
    "mpp-9171": ["dukcapil", "bpjs-kesehatan", "samsat", "dpmptsp"],
}

PLEDGE_TEXT = (
    "Dengan ini, kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan "
    "yang telah ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi "
    "sesuai peraturan perundang-undangan yang berlaku."
)
